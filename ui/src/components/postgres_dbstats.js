// One database's statistics: top statements (pg_stat_statements, ordered as chosen), its largest tables with dead
// tuples and vacuum times, indexes nobody scans and indexes that duplicate another.
import { html } from "../html.js";
import { Empty, Loading, Notice } from "./feedback.js";
import { TableWrap } from "./list.js";
import { bytes, duration, num, PgError, RefreshButton, ratio } from "./postgres_common.js";
import { useResource } from "./resource.js";
import { Ago, Time } from "./time.js";

const orders = [["total_time", "total time"], ["calls", "calls"], ["mean_time", "mean time"], ["rows", "rows"]];
const tops = ["10", "20", "50", "100"];

function Table({ label, columns, rows }) {
  return html`<${TableWrap} label=${label}><table>
    <caption class="visually-hidden">${label}</caption>
    <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody>${rows}</tbody>
  </table><//>`;
}

function Statements({ stats }) {
  if (stats.statements === null)
    return html`<${Notice} kind="warn">No statement statistics: ${stats.statements_reason}<//>`;
  if (!stats.statements.length) return html`<${Empty}>No statement recorded yet.<//>`;
  return html`<${Table} label="Top statements"
    columns=${["Statement", "Calls", "Total time", "Mean time", "Rows", "Cache hit", "Temp written", "User"]}
    rows=${stats.statements.map((s) => html`<tr key=${s.queryid + s.user}>
      <td><code class="pg-query wide" title=${s.query || ""}>${s.query || `query id ${s.queryid}`}</code></td>
      <td class="num">${num(s.calls)}</td><td class="num">${duration(s.total_time_ms)}</td>
      <td class="num">${duration(s.mean_time_ms)}</td><td class="num">${num(s.rows)}</td>
      <td class="num">${ratio(s.cache_hit_ratio)}</td><td class="num">${num(s.temp_blks_written)} blocks</td>
      <td>${s.user}</td>
    </tr>`)} />`;
}

const latest = (a, b) => (!a ? b : !b ? a : a > b ? a : b);

function Tables({ stats }) {
  if (!stats.tables.length) return html`<${Empty}>No table in this database.<//>`;
  return html`${stats.tables.length < stats.tables_total &&
    html`<p class="hint">The ${stats.tables.length} largest of ${num(stats.tables_total)} tables.</p>`}
    <${Table} label="Tables"
      columns=${["Table", "Total size", "Indexes", "Live rows", "Dead rows", "Seq scans", "Index scans", "Vacuumed",
        "Analyzed"]}
      rows=${stats.tables.map((t) => html`<tr key=${`${t.schema}.${t.name}`}>
        <td class="mono">${t.schema}.${t.name}</td><td class="num">${bytes(t.total_size_bytes)}</td>
        <td class="num">${bytes(t.indexes_size_bytes)}</td><td class="num">${num(t.live_tuples)}</td>
        <td class="num">
          ${num(t.dead_tuples)}${t.dead_tuple_ratio !== null && html` (${ratio(t.dead_tuple_ratio)})`}
        </td>
        <td class="num">${num(t.seq_scan)}</td><td class="num">${num(t.idx_scan)}</td>
        <td><${Time} value=${latest(t.last_vacuum, t.last_autovacuum)} fallback="never" /></td>
        <td><${Time} value=${latest(t.last_analyze, t.last_autoanalyze)} fallback="never" /></td>
      </tr>`)} />`;
}

function Indexes({ stats }) {
  return html`<h4>Unused indexes</h4>
    ${stats.unused_indexes.length
      ? html`<${Table} label="Unused indexes" columns=${["Index", "Table", "Size", "Scans"]}
          rows=${stats.unused_indexes.map((i) => html`<tr key=${`${i.schema}.${i.index}`}>
            <td class="mono">${i.index}</td><td class="mono">${i.schema}.${i.table}</td>
            <td class="num">${bytes(i.size_bytes)}</td><td class="num">${num(i.idx_scan)}</td>
          </tr>`)} />`
      : html`<${Empty}>Every index has been used.<//>`}
    <h4>Duplicate indexes</h4>
    ${stats.duplicate_indexes.length
      ? html`<${Table} label="Duplicate indexes" columns=${["Table", "Indexes with the same definition", "Size"]}
          rows=${stats.duplicate_indexes.map((d) => html`<tr key=${`${d.schema}.${d.table}.${d.indexes.join()}`}>
            <td class="mono">${d.schema}.${d.table}</td><td class="mono">${d.indexes.join(", ")}</td>
            <td class="num">${bytes(d.size_bytes)}</td>
          </tr>`)} />`
      : html`<${Empty}>No index duplicates another.<//>`}`;
}

/// `query`: the page's URL state (order, top of the statements), `setQuery` changes it.
export function DatabaseStats({ serverId, db, query, setQuery }) {
  const order = query.order || "total_time";
  const top = query.top || "20";
  const path = `/api/v1/servers/${serverId}/postgres/databases/${encodeURIComponent(db)}/stats`;
  const stats = useResource(path, { order, top, text: true });
  const s = stats.data;
  return html`<section class="pg-card pg-db" aria-labelledby="pg-db-title">
    <div class="pg-head">
      <h3 id="pg-db-title">Database <span class="mono">${db}</span></h3>
      ${s && html`<span class="hint">
        ${bytes(s.size_bytes)}, ${num(s.tables_total)} tables · collected${" "}<${Ago} value=${s.collected_at} />
      </span>`}
      <span class="pg-tools">
        <${RefreshButton} resource=${stats} />
        <button type="button" onClick=${() => setQuery({ db: "", order: "", top: "" })}>Close</button>
      </span>
    </div>
    <${PgError} error=${stats.error} retry=${() => stats.reload()} />
    ${!s && !stats.error && html`<${Loading} what=${`the statistics of ${db}`} />`}
    ${s && html`<h4>Top statements</h4>
      <form class="filters" onSubmit=${(e) => e.preventDefault()}>
        <label for="pg-order"><span>Order by</span>
          <select id="pg-order" value=${order} onChange=${(e) => setQuery({ order: e.currentTarget.value })}>
            ${orders.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
          </select></label>
        <label for="pg-top"><span>Show</span>
          <select id="pg-top" value=${top} onChange=${(e) => setQuery({ top: e.currentTarget.value })}>
            ${tops.map((t) => html`<option value=${t}>top ${t}</option>`)}
          </select></label>
      </form>
      <${Statements} stats=${s} />
      <h4>Tables</h4>
      <${Tables} stats=${s} />
      <${Indexes} stats=${s} />`}
  </section>`;
}
