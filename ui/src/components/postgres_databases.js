// The databases of a monitored PostgreSQL with size and connections; choosing one shows its statistics (the
// choice lives in the URL as ?db=, so it can be shared and survives a reload).
import { html } from "../html.js";
import { Empty, Loading } from "./feedback.js";
import { TableWrap } from "./list.js";
import { bytes, num, PgError, RefreshButton } from "./postgres_common.js";
import { useResource } from "./resource.js";
import { DatabaseStats } from "./postgres_dbstats.js";
import { Ago } from "./time.js";

export function DatabasesView({ serverId, query, setQuery }) {
  const list = useResource(`/api/v1/servers/${serverId}/postgres/databases`);
  const dbs = list.data?.databases;
  return html`<section class="panel" aria-labelledby="pg-dbs-title">
    <div class="pg-head">
      <h2 id="pg-dbs-title">Databases</h2>
      ${list.data && html`<span class="hint">collected <${Ago} value=${list.data.collected_at} /></span>`}
      <span class="pg-tools">
        <${RefreshButton} resource=${list} />
      </span>
    </div>
    <${PgError} error=${list.error} retry=${() => list.reload()} />
    ${!dbs && !list.error && html`<${Loading} what="the databases" />`}
    ${dbs && dbs.length === 0 && html`<${Empty}>No database.<//>`}
    ${dbs?.length > 0 &&
    html`<${TableWrap} label="Databases"><table class="pg-databases">
      <caption class="visually-hidden">Databases</caption>
      <thead><tr>${["Database", "Owner", "Encoding", "Size", "Connections", "Limit", ""].map(
        (c) => html`<th scope="col">${c || html`<span class="visually-hidden">Statistics</span>`}</th>`,
      )}</tr></thead>
      <tbody>${dbs.map((d) => html`<tr key=${d.name} class=${query.db === d.name ? "pg-selected" : ""}>
        <th scope="row" class="mono">${d.name}</th><td>${d.owner}</td><td>${d.encoding}</td>
        <td class="num">${bytes(d.size_bytes)}</td><td class="num">${num(d.connections)}</td>
        <td>${d.allow_connections ? (d.connection_limit < 0 ? "none" : num(d.connection_limit)) : "no connections"}</td>
        <td>${d.allow_connections
          ? html`<button type="button" aria-pressed=${query.db === d.name} aria-label=${`Statistics of ${d.name}`}
              onClick=${() => setQuery({ db: d.name })}>Statistics</button>`
          : html`<span class="hint">—</span>`}</td>
      </tr>`)}</tbody>
    </table><//>`}
    ${query.db &&
    html`<${DatabaseStats} key=${query.db} serverId=${serverId} db=${query.db} query=${query} setQuery=${setQuery} />`}
  </section>`;
}
