// Task history, newest first, filtered on the server.
import { Link } from "wouter-preact";
import { can } from "../api.js";
import { Badge } from "../components/badge.js";
import { PageHeader } from "../components/layout.js";
import { Filters, PagedTable, usePaged, useQueryState } from "../components/list.js";
import { Progress } from "../components/progress.js";
import { Time } from "../components/time.js";
import { html } from "../html.js";

const states = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"].map((s) => [s, s]);
const kinds = ["exec", "deploy_key", "revoke_key", "compose_up", "compose_down"].map((s) => [s, s]);

export function Tasks() {
  const [query, setQuery] = useQueryState();
  const list = usePaged("/api/v1/tasks", { state: query.state, kind: query.kind, server: query.server, creator: query.creator });
  return html`<section>
    <${PageHeader} title="Tasks">
      ${can("operator") && html`<${Link} href="/tasks/new" class="button primary">Run a command<//>`}
    <//>
    <${Filters} values=${query} set=${setQuery} fields=${[
      { name: "state", label: "State", options: states },
      { name: "kind", label: "Kind", options: kinds },
      { name: "server", label: "Server", placeholder: "name or id" },
      { name: "creator", label: "Started by", placeholder: "user name" },
    ]} />
    <${PagedTable} list=${list} caption="Tasks" empty="No task matches." flow
      columns=${["Task", "State", "Progress", "Started by", "Created"]}
      row=${(t) => html`<tr key=${t.id} role="row">
        <td role="cell"><${Link} href=${`/tasks/${t.id}`}>${t.kind}${t.command ? html`: <code>${t.command.slice(0, 80)}</code>` : ""}<//></td>
        <td role="cell"><${Badge} value=${t.state} /></td>
        <td role="cell"><${Progress} ...${t.progress} /></td>
        <td role="cell">${t.created_by_name || "—"}</td>
        <td role="cell"><${Time} value=${t.created_at} /></td>
      </tr>`} />
  </section>`;
}
