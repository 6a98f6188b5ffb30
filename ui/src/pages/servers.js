// The fleet: filters by tag, status and text on the server; pages of 100 with "Load more".
import { Link } from "wouter-preact";
import { can } from "../api.js";
import { Badge } from "../components/badge.js";
import { PageHeader } from "../components/layout.js";
import { Filters, PagedTable, usePaged, useQueryState } from "../components/list.js";
import { Ago } from "../components/time.js";
import { html } from "../html.js";

export const serverStates = ["online", "offline", "unknown", "auth_failed", "host_key_mismatch"].map((s) => [s, s.replaceAll("_", " ")]);

export function Servers() {
  const [query, setQuery] = useQueryState();
  const list = usePaged("/api/v1/servers", { q: query.q, tag: query.tag, status: query.status }, { limit: 100 });
  return html`<section>
    <${PageHeader} title="Servers">
      ${can("operator") && html`<${Link} href="/servers/new" class="button primary">Add a server<//>`}
    <//>
    <${Filters} values=${query} set=${setQuery} fields=${[
      { name: "q", label: "Search", placeholder: "name or address" },
      { name: "tag", label: "Tag", placeholder: "web" },
      { name: "status", label: "Status", options: serverStates },
    ]} />
    <${PagedTable} list=${list} caption="Servers" empty="No server matches. Add one to get started." flow
      columns=${["Name", "Address", "Tags", "Status", "Checked"]}
      row=${(s) => html`<tr key=${s.id} role="row">
        <td role="cell"><${Link} href=${`/servers/${s.id}`}>${s.name}<//></td>
        <td role="cell" class="mono">${s.ssh_user}@${s.address}:${s.ssh_port}</td>
        <td role="cell">${s.tags.map((t) => html`<span class="tag">${t}</span>`)}</td>
        <td role="cell"><${Badge} value=${s.status} /></td>
        <td role="cell"><${Ago} value=${s.last_checked} /></td>
      </tr>`} />
  </section>`;
}
