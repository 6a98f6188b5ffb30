// Deploy a key to chosen servers' authorized_keys, or revoke it from them; the task that does it is followed
// here. A revoke from a server that logs in with the key is refused (409) until the user confirms it anyway.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Badge } from "./badge.js";
import { ErrorMessage } from "./feedback.js";
import { usePaged } from "./list.js";
import { KeyTaskResults } from "./keys_task.js";
import { html } from "../html.js";

function ServerChoice({ chosen, setChosen }) {
  const [q, setQ] = useState("");
  const list = usePaged("/api/v1/servers", { q }, { limit: 25 });
  const toggle = (server) =>
    setChosen((c) => (c.some((s) => s.id === server.id) ? c.filter((s) => s.id !== server.id) : [...c, server]));
  return html`<fieldset class="key-servers">
    <legend>Servers (${chosen.length} chosen)</legend>
    <label for="key-pick-q">Find a server</label>
    <input id="key-pick-q" type="search" value=${q} placeholder="name or address"
      onInput=${(e) => setQ(e.currentTarget.value)} />
    <${ErrorMessage} error=${list.error} retry=${list.reload} />
    ${list.loading && list.items.length === 0 && html`<p class="loading" role="status">Loading servers…</p>`}
    ${!list.loading && list.items.length === 0 && !list.error && html`<p class="empty">No server matches.</p>`}
    <ul class="picker">
      ${list.items.map((s) => html`<li key=${s.id}>
        <label><input type="checkbox" checked=${chosen.some((c) => c.id === s.id)} onChange=${() => toggle(s)} />
          ${" "}${s.name} <span class="hint">${s.ssh_user}@${s.address}</span> <${Badge} value=${s.status} /></label>
      </li>`)}
    </ul>
    ${list.more && html`<button type="button" onClick=${list.loadMore} disabled=${list.loading}>More servers</button>`}
  </fieldset>`;
}

/// The servers picker, Deploy and Revoke, and the running or last task's results.
export function DeployPanel({ keyId, onEnd }) {
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
      const body = { targets: chosen.map((s) => s.id) };
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
    <${ServerChoice} chosen=${chosen} setChosen=${setChosen} />
    <${ErrorMessage} error=${error} />
    <div class="form-actions">
      <button type="button" class="primary" disabled=${busy} onClick=${() => start("deploy")}>
        Deploy to ${chosen.length} server${chosen.length === 1 ? "" : "s"}</button>
      <button type="button" disabled=${busy} onClick=${() => start("revoke")}>
        Revoke from ${chosen.length} server${chosen.length === 1 ? "" : "s"}</button>
      ${refused && html`<button type="button" class="danger" disabled=${busy} onClick=${() => start("revoke", true)}>
        Revoke anyway</button>`}
    </div>
    ${task && html`<${KeyTaskResults} key=${task.id} first=${task} onEnd=${onEnd} />`}
  </div>`;
}
