// PostgreSQL: the servers with a PostgreSQL endpoint, and for one of them live activity (blocking, cancel and
// terminate for admins), server statistics and each database's statistics. The view, the activity filters and
// the chosen database live in the URL.
import { useEffect, useMemo } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { Badge } from "../components/badge.js";
import { ErrorMessage, Loading, Notice } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { Filters, PagedTable, usePaged, useQueryState } from "../components/list.js";
import { Activity } from "../components/postgres_activity.js";
import { useResource } from "../components/resource.js";
import { DatabasesView } from "../components/postgres_databases.js";
import { ServerStats } from "../components/postgres_stats.js";
import { Ago } from "../components/time.js";
import { html } from "../html.js";
import "./postgres.css";

export function endpointText(server) {
  const pg = server.postgres;
  return `${pg.user}@${pg.host || server.address}:${pg.port}/${pg.database}`;
}

export function Postgres() {
  const [query, setQuery] = useQueryState();
  const [, navigate] = useLocation();
  // The server page links to /postgres?server=ID: that server's own view.
  useEffect(() => {
    if (query.server) navigate(`/postgres/${encodeURIComponent(query.server)}`, { replace: true });
  }, [query.server]);
  // The API has no "has an endpoint" filter: the server list is paged and the servers without one are left out.
  const list = usePaged("/api/v1/servers", { q: query.q, tag: query.tag }, { limit: 100, enabled: !query.server });
  const pages = useMemo(() => list.pages.map((page) => page.filter((s) => s.postgres)), [list.pages]);
  const shown = { ...list, pages, items: useMemo(() => pages.flat(), [pages]) };
  return html`<section>
    <${PageHeader} title="PostgreSQL" />
    <${Filters} values=${query} set=${setQuery} fields=${[
      { name: "q", label: "Search", placeholder: "name or address" },
      { name: "tag", label: "Tag", placeholder: "db" },
    ]} />
    <${PagedTable} list=${shown} caption="Servers with PostgreSQL"
      empty=${list.items.length
        ? `None of the ${list.items.length} servers loaded so far has a PostgreSQL endpoint.`
        : "No server has a PostgreSQL endpoint. Give one a PostgreSQL endpoint on its edit page."}
      columns=${["Server", "Endpoint", "Tags", "Server status", "Checked"]}
      row=${(s) => html`<tr key=${s.id}>
        <td><${Link} href=${`/postgres/${s.id}`}>${s.name}<//></td>
        <td class="mono pg-endpoint-cell">${endpointText(s)}${s.postgres.via_ssh ? " (SSH tunnel)" : ""}
          ${s.postgres.password_locked && html`<br /><span class="field-error">password locked</span>`}</td>
        <td>${s.tags.map((t) => html`<span class="tag">${t}</span>`)}</td>
        <td><${Badge} value=${s.status} /></td>
        <td><${Ago} value=${s.last_checked} /></td>
      </tr>`} />
  </section>`;
}

const views = [
  ["activity", "Activity"],
  ["stats", "Server statistics"],
  ["databases", "Databases"],
];

export function PostgresDetail({ params }) {
  const [query, setQuery] = useQueryState();
  const server = useResource(`/api/v1/servers/${params.id}`);
  const view = views.some(([v]) => v === query.view) ? query.view : "activity";
  const s = server.data;
  if (server.error) return html`<section><${PageHeader} title="PostgreSQL" /><${ErrorMessage} error=${server.error}
    retry=${() => server.reload()} /></section>`;
  if (!s) return html`<${Loading} what="the server" />`;
  return html`<section class="pg-page">
    <${PageHeader} title=${`PostgreSQL on ${s.name}`}>
      <${Link} href=${`/servers/${s.id}`} class="button">Server<//>
      <${Link} href="/postgres" class="button">All PostgreSQL servers<//>
    <//>
    ${!s.postgres
      ? html`<${Notice} kind="warn">${s.name} has no PostgreSQL endpoint. An operator can add one on the server's edit
          page.<//>`
      : html`<p class="pg-endpoint hint">
            <span class="mono">${endpointText(s)}</span>${s.postgres.via_ssh ? " through an SSH tunnel" : ""},
            pool ${s.postgres.pool_class}
            ${s.postgres.password_locked &&
            html` · <span class="field-error">the password is locked until it is given again or the host key is
              accepted</span>`}
          </p>
          <div class="pg-views" role="group" aria-label="PostgreSQL views">
            ${views.map(([v, title]) => html`<button type="button" aria-pressed=${view === v}
              onClick=${() => setQuery({ view: v === "activity" ? "" : v })}>${title}</button>`)}
          </div>
          ${view === "activity" && html`<${Activity} serverId=${s.id} query=${query} setQuery=${setQuery} />`}
          ${view === "stats" && html`<${ServerStats} serverId=${s.id} />`}
          ${view === "databases" && html`<${DatabasesView} serverId=${s.id} query=${query} setQuery=${setQuery} />`}`}
  </section>`;
}
