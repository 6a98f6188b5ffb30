// A monitored PostgreSQL's server statistics: version, uptime, connections, WAL, replication, checkpointer,
// wraparound and each database's counters (one cached snapshot; "Refresh" asks PostgreSQL now for operators).
import { html } from "../html.js";
import { Loading } from "./feedback.js";
import { TableWrap } from "./list.js";
import { bytes, duration, Fact, num, PgError, RefreshButton, ratio } from "./postgres_common.js";
import { useResource } from "./resource.js";
import { Ago, Time } from "./time.js";

function Overview({ s }) {
  const c = s.connections;
  const cp = s.checkpointer;
  return html`<div class="grid">
    <div class="pg-card">
      <h3>Server</h3>
      <dl class="facts">
        <${Fact} term="Version"><span title=${s.version}>${s.version.split(/ \(| on /)[0]}</span><//>
        <${Fact} term="Started"><${Time} value=${s.started_at} /><//>
        <${Fact} term="Uptime">${s.uptime_s === null ? "—" : duration(s.uptime_s * 1000)}<//>
        <${Fact} term="Connections">
          <meter min="0" max=${c.max || 1} high=${Math.max(0, c.max - c.reserved)} value=${c.used}
            aria-label="Connections used"></meter>
          ${num(c.used)} of ${num(c.max)} (${num(c.reserved)} reserved)<//>
        <${Fact} term="Role">${s.replication.role}<//>
      </dl>
    </div>
    <div class="pg-card">
      <h3>Throughput</h3>
      <dl class="facts">
        <${Fact} term="Commits">${num(s.totals.xact_commit)}<//>
        <${Fact} term="Rollbacks">${num(s.totals.xact_rollback)}<//>
        <${Fact} term="Cache hit ratio">${ratio(s.totals.cache_hit_ratio)}<//>
        <${Fact} term="Deadlocks">${num(s.totals.deadlocks)}<//>
        <${Fact} term="Temp data">${bytes(s.totals.temp_bytes)}<//>
        <${Fact} term="WAL position"><span class="mono">${s.wal.lsn || "—"}</span><//>
        <${Fact} term="WAL rate">${s.wal.bytes_per_s === null ? "—" : `${bytes(s.wal.bytes_per_s)}/s`}<//>
      </dl>
    </div>
    <div class="pg-card">
      <h3>Checkpoints and wraparound</h3>
      <dl class="facts">
        <${Fact} term="Checkpoints">${num(cp.checkpoints_timed)} timed, ${num(cp.checkpoints_req)} requested<//>
        <${Fact} term="Checkpoint time">${duration(cp.checkpoint_write_time_ms)} writing,${" "}
          ${duration(cp.checkpoint_sync_time_ms)} syncing<//>
        <${Fact} term="Buffers written">${num(cp.buffers_checkpoint)} by checkpoints, ${num(cp.buffers_clean)} by the
          background writer, ${num(cp.buffers_backend)} by backends<//>
        <${Fact} term="Oldest transaction">
          ${s.wraparound.oldest_xact_s === null ? "—" : duration(s.wraparound.oldest_xact_s * 1000)}${" "}
          (age ${num(s.wraparound.oldest_xact_age)})<//>
        <${Fact} term="Max frozen XID age">${num(s.wraparound.max_frozenxid_age)}<//>
      </dl>
    </div>
  </div>`;
}

const standbyColumns = ["Standby", "Client", "State", "Sync", "Replay lag", "Replay delay"];

function Replication({ r }) {
  if (r.role === "standby")
    return html`<p>This server is a standby: ${bytes(r.lag_bytes)} received but not replayed, last replayed transaction${" "}
      ${r.lag_s === null ? "—" : duration(r.lag_s * 1000)} ago.</p>`;
  if (!r.standbys.length) return html`<p class="hint">A primary with no standby connected.</p>`;
  return html`<${TableWrap} label="Standbys"><table>
    <caption class="visually-hidden">Standbys</caption>
    <thead><tr>
      ${standbyColumns.map((c) => html`<th scope="col">${c}</th>`)}
    </tr></thead>
    <tbody>${r.standbys.map((b) => html`<tr key=${b.application_name + b.client_addr}>
      <td>${b.application_name}</td><td class="mono">${b.client_addr || "—"}</td><td>${b.state || "—"}</td>
      <td>${b.sync_state || "—"}</td><td class="num">${bytes(b.replay_lag_bytes)}</td>
      <td class="num">${b.replay_lag_s === null ? "—" : duration(b.replay_lag_s * 1000)}</td>
    </tr>`)}</tbody>
  </table><//>`;
}

function Databases({ s }) {
  const columns = ["Database", "Size", "Backends", "Commits", "Rollbacks", "Cache hit", "Deadlocks", "Temp",
    "Frozen XID age"];
  return html`<${TableWrap} label="Databases' counters"><table class="pg-dbstats">
    <caption class="visually-hidden">Each database's counters</caption>
    <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody>${s.databases.map((d) => html`<tr key=${d.oid}>
      <th scope="row">${d.name}</th><td class="num">${bytes(d.size_bytes)}</td>
      <td class="num">${num(d.numbackends)}</td>
      <td class="num">${num(d.xact_commit)}</td><td class="num">${num(d.xact_rollback)}</td>
      <td class="num">${ratio(d.cache_hit_ratio)}</td><td class="num">${num(d.deadlocks)}</td>
      <td class="num">${bytes(d.temp_bytes)}</td><td class="num">${num(d.frozenxid_age)}</td>
    </tr>`)}</tbody>
  </table><//>
  <p class="hint">Sizes as of <${Time} value=${s.sizes_collected_at} />: they are read at most every few minutes.</p>`;
}

export function ServerStats({ serverId }) {
  const stats = useResource(`/api/v1/servers/${serverId}/postgres/stats`);
  const s = stats.data;
  return html`<section class="panel" aria-labelledby="pg-stats-title">
    <div class="pg-head">
      <h2 id="pg-stats-title">Server statistics</h2>
      ${s && html`<span class="hint">collected <${Ago} value=${s.collected_at} /></span>`}
      <span class="pg-tools">
        <${RefreshButton} resource=${stats} />
      </span>
    </div>
    <${PgError} error=${stats.error} retry=${() => stats.reload()} />
    ${!s && !stats.error && html`<${Loading} what="the statistics" />`}
    ${s && html`<${Overview} s=${s} />
      <h3>Replication</h3>
      <${Replication} r=${s.replication} />
      <h3>Databases</h3>
      <${Databases} s=${s} />`}
  </section>`;
}
