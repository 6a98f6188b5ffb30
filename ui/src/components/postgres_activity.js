// Live activity of one monitored PostgreSQL: counts, who blocks whom, the sessions (filtered on the server), renewed
// every few seconds with a pause; admins cancel a query or terminate a session and read PostgreSQL's answer.
import { useState } from "preact/hooks";
import { can } from "../api.js";
import { html } from "../html.js";
import { Loading } from "./feedback.js";
import { Filters } from "./list.js";
import { duration, num, PgError } from "./postgres_common.js";
import { useLive } from "./resource.js";
import { SessionsTable } from "./postgres_sessions.js";
import { Ago } from "./time.js";

const kInterval = 5000; // the API caches a snapshot 5 s ([postgres] activity_ttl_ms): asking faster shows nothing new

export const sessionStates = ["active", "idle", "idle_in_transaction", "idle_in_transaction_aborted",
  "fastpath_function_call", "disabled"].map((s) => [s, s.replaceAll("_", " ")]);

function Counts({ data }) {
  const c = data.counts;
  const items = [
    ["Sessions", `${num(c.total)} / ${num(data.max_connections)}`],
    ["Active", num(c.active)],
    ["Idle", num(c.idle)],
    ["Idle in transaction", num(c.idle_in_transaction + c.idle_in_transaction_aborted)],
    ["Waiting", num(c.waiting)],
    ["Blocked", num(c.blocked), c.blocked > 0 ? "bad" : ""],
    ["Longest query", duration(data.longest.query_ms)],
    ["Oldest transaction", duration(data.longest.xact_ms)],
  ];
  return html`<div class="stats pg-counts">
    ${items.map(([label, value, tone]) => html`<div class=${`stat ${tone || ""}`}>
      <span>${label}</span><strong>${value}</strong>
    </div>`)}
  </div>`;
}

function BlockingSummary({ sessions }) {
  const blocked = sessions.filter((s) => s.blocked_by.length);
  if (!blocked.length) return null;
  return html`<div class="notice warn pg-blocking">
    <strong>${blocked.length === 1 ? "1 session is" : `${blocked.length} sessions are`} blocked:</strong>
    <ul>${blocked.map((s) => html`<li key=${s.pid}>
      session <span class="mono">${s.pid}</span>${" waits for "}<span class="mono">${s.blocked_by.join(", ")}</span>
    </li>`)}</ul>
  </div>`;
}

/// What came of a cancel or terminate: PostgreSQL's answer, or the problem's detail when it was refused.
function Outcome({ outcome, dismiss }) {
  if (!outcome) return null;
  const { pid, action, result, error } = outcome;
  const verb = action === "cancel" ? "Cancel" : "Terminate";
  if (error)
    return html`<div class="error pg-outcome" role="alert">
      ${verb} of session <span class="mono">${pid}</span> refused: ${error.message}
      <button type="button" class="link" onClick=${dismiss}>Dismiss</button>
    </div>`;
  const done = action === "cancel" ? `The query of session ${pid} was cancelled.` : `Session ${pid} was terminated.`;
  const text = result.signalled
    ? done
    : `PostgreSQL did not signal session ${pid} (it may have ended already).`;
  return html`<div class=${`notice ${result.signalled ? "good" : "warn"} pg-outcome`} role="status">
    ${text} <button type="button" class="link" onClick=${dismiss}>Dismiss</button>
  </div>`;
}

export function Activity({ serverId, query, setQuery }) {
  const [paused, setPaused] = useState(false);
  const [outcome, setOutcome] = useState(null);
  const filters = { state: query.state, database: query.database, min_duration_ms: query.min_duration_ms };
  const live = useLive(`/api/v1/servers/${serverId}/postgres/activity`, filters, { interval: kInterval, paused });
  // Operators and admins may skip the cache; a viewer's "now" is the cached snapshot.
  const now = () => live.refresh(can("operator") ? { fresh: true } : {});
  const report = (o) => {
    setOutcome(o);
    if (o.result) now(); // the signal dropped the cached snapshot: show what it changed
  };
  const data = live.data;
  return html`<section class="panel" aria-labelledby="pg-activity-title">
    <div class="pg-head">
      <h2 id="pg-activity-title">Activity</h2>
      <span class="pg-live" data-state=${paused ? "paused" : "live"}>
        ${paused ? "Paused" : `Live, every ${kInterval / 1000} s`}${live.loading ? " · updating…" : ""}
      </span>
      ${data && html`<span class="hint">snapshot <${Ago} value=${data.collected_at} /></span>`}
      <span class="pg-tools">
        <button type="button" aria-pressed=${paused} onClick=${() => setPaused(!paused)}>
          ${paused ? "Resume" : "Pause"}
        </button>
        <button type="button" onClick=${now}>Refresh now</button>
      </span>
    </div>
    <${Filters} values=${query} set=${setQuery} fields=${[
      { name: "state", label: "State", options: sessionStates },
      { name: "database", label: "Database", placeholder: "appdb" },
      { name: "min_duration_ms", label: "At least (ms)", type: "number", placeholder: "1000" },
    ]} />
    <${Outcome} outcome=${outcome} dismiss=${() => setOutcome(null)} />
    <${PgError} error=${live.error} retry=${now}
      stale=${data ? "The table shows the last snapshot that arrived." : ""} />
    ${!data && !live.error && html`<${Loading} what="the activity" />`}
    ${data && html`<${Counts} data=${data} />
      <${BlockingSummary} sessions=${data.sessions} />
      <${SessionsTable} serverId=${serverId} sessions=${data.sessions} report=${report} />`}
  </section>`;
}
