// A deploy_key / revoke_key task followed to its end: each server's state, result and error, polled from
// GET /tasks/{id} (a key edit is a few small steps per server; polling is enough and survives a reconnect).
import { Link } from "wouter-preact";
import { Badge } from "./badge.js";
import { ErrorMessage, Loading } from "./feedback.js";
import { TableWrap } from "./list.js";
import { Progress } from "./progress.js";
import { useLive } from "./resource.js";
import { html } from "../html.js";

const active = (task) => task.state === "queued" || task.state === "running";
const resultTones = { added: "good", removed: "good", already_present: "info", absent: "muted" };
const POLL_MS = 500;

/// Polls the task until it ends: {task, error}. `first` is the task the POST answered with.
function useFollowedTask(first) {
  const live = useLive(`/api/v1/tasks/${first.id}`, {}, { interval: POLL_MS, paused: (t) => Boolean(t) && !active(t) });
  return { task: live.data || first, error: live.error };
}

/// The task's per-server outcome, live until it ends, with a link to the task's own page.
export function KeyTaskResults({ first }) {
  const { task, error } = useFollowedTask(first);
  if (!task) return html`<${Loading} what="the task" />`;
  const verb = task.kind === "revoke_key" ? "Revoke" : "Deploy";
  return html`<section class="key-task" aria-labelledby="key-task-title" data-task=${task.id} data-state=${task.state}>
    <div class="key-task-head">
      <h3 id="key-task-title">${verb}: <${Badge} value=${task.state} /></h3>
      <${Progress} done=${task.progress.done} total=${task.progress.total} />
      <${Link} href=${`/tasks/${task.id}`}>Open the task<//>
    </div>
    <p class="visually-hidden" role="status">${verb} ${task.state.replaceAll("_", " ")}</p>
    <${ErrorMessage} error=${error} />
    <${TableWrap} label=${`${verb} results`}>
      <table>
        <caption class="visually-hidden">${verb} results per server</caption>
        <thead><tr>
          <th scope="col">Server</th><th scope="col">State</th><th scope="col">Result</th><th scope="col">Error</th>
        </tr></thead>
        <tbody>
          ${task.targets.map((t) => html`<tr key=${t.server_id} data-server=${t.server_name}>
            <td><${Link} href=${`/servers/${t.server_id}`}>${t.server_name}<//></td>
            <td><${Badge} value=${t.state} /></td>
            <td class="key-result">
              ${t.result ? html`<${Badge} value=${t.result} tone=${resultTones[t.result]} />` : "—"}
            </td>
            <td>${t.error ? html`<span class="field-error">${t.error}</span>` : "—"}</td>
          </tr>`)}
        </tbody>
      </table>
    <//>
  </section>`;
}
