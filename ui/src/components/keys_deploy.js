// Deploy a key to chosen servers' authorized_keys, or revoke it from them; the task that does it is followed
// here. A revoke from a server that logs in with the key is refused (409) until the user confirms it anyway.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { ErrorMessage } from "./feedback.js";
import { KeyTaskResults } from "./keys_task.js";
import { ServerPicker } from "./server_picker.js";
import { html } from "../html.js";

/// The servers picker, Deploy and Revoke, and the running or last task's results.
export function DeployPanel({ keyId }) {
  const [chosen, setChosen] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [refused, setRefused] = useState(false);
  const [task, setTask] = useState(null);
  const start = async (action, force = false) => {
    if (chosen.length === 0) {
      setError("Choose at least one server.");
      return;
    }
    setBusy(true);
    setError(null);
    setRefused(false);
    try {
      const body = { targets: chosen };
      if (force) body.force = true;
      setTask(await api.post(`/api/v1/ssh-keys/${keyId}/${action}`, body));
    } catch (e) {
      setError(e);
      // The server would lose the key it logs in with: the user may insist, knowing it.
      setRefused(action === "revoke" && e.status === 409);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="panel" role="region" aria-labelledby="deploy-title">
    <h2 id="deploy-title">Deploy or revoke</h2>
    <p class="hint">Adds the public key to, or removes it from, the login user's ~/.ssh/authorized_keys.</p>
    <${ServerPicker} class="key-servers" chosen=${chosen} setChosen=${setChosen} />
    <${ErrorMessage} error=${error} />
    <div class="form-actions">
      <button type="button" class="primary" disabled=${busy} onClick=${() => start("deploy")}>
        Deploy to ${chosen.length} server${chosen.length === 1 ? "" : "s"}</button>
      <button type="button" disabled=${busy} onClick=${() => start("revoke")}>
        Revoke from ${chosen.length} server${chosen.length === 1 ? "" : "s"}</button>
      ${refused && html`<button type="button" class="danger" disabled=${busy} onClick=${() => start("revoke", true)}>
        Revoke anyway</button>`}
    </div>
    ${task && html`<${KeyTaskResults} key=${task.id} first=${task} />`}
  </div>`;
}
