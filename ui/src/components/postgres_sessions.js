// The sessions of one activity snapshot as a table: each blocking session directly above the sessions it blocks
// (tr.blocker, then tr.blocked, each saying which pid blocks which), then the rest; cancel and terminate for admins.
import { useState } from "preact/hooks";
import { api, can } from "../api.js";
import { html } from "../html.js";
import { Badge } from "./badge.js";
import { Empty } from "./feedback.js";
import { TableWrap } from "./list.js";
import { duration } from "./postgres_common.js";

// PostgreSQL's own processes (checkpointer, autovacuum launcher...) are not for an admin to signal from here.
const signallable = new Set(["client backend", "walsender"]);
const stateTones = { active: "info", idle: "muted", idle_in_transaction: "warn", idle_in_transaction_aborted: "bad" };

/// The sessions ordered so that every blocker comes first with what it blocks below it (depth for the indent),
/// and who blocks whom: {rows: [{session, depth}], blocks: Map(pid -> [blocked pids])}.
export function arrange(sessions) {
  const byPid = new Map(sessions.map((s) => [s.pid, s]));
  const blocks = new Map();
  for (const s of sessions)
    for (const b of s.blocked_by) blocks.set(b, [...(blocks.get(b) || []), s.pid]);
  const rows = [];
  const seen = new Set();
  const emit = (s, depth) => {
    if (seen.has(s.pid)) return;
    seen.add(s.pid);
    rows.push({ session: s, depth });
    for (const pid of blocks.get(s.pid) || []) if (byPid.has(pid)) emit(byPid.get(pid), depth + 1);
  };
  // Roots: blockers nobody shown blocks; then whatever a cycle (a deadlock about to be broken) left; then the rest.
  for (const s of sessions)
    if (blocks.has(s.pid) && !s.blocked_by.some((b) => byPid.has(b))) emit(s, 0);
  for (const s of sessions) if (blocks.has(s.pid) || s.blocked_by.length) emit(s, 0);
  for (const s of sessions) if (s.backend_type === "client backend") emit(s, 0);
  for (const s of sessions) emit(s, 0);
  return { rows, blocks };
}

function SessionActions({ serverId, session, report }) {
  const [busy, setBusy] = useState(null);
  const signal = async (action) => {
    const app = session.application ? ` (${session.application})` : "";
    const who = `${session.user || "?"}@${session.database || "?"}${app}`;
    const question = action === "cancel"
      ? `Cancel the running query of session ${session.pid}, ${who}? The session stays connected.`
      : `Terminate session ${session.pid}, ${who}? Its connection is closed and an open transaction rolled back.`;
    if (!window.confirm(question)) return;
    setBusy(action);
    try {
      const result = await api.post(`/api/v1/servers/${serverId}/postgres/sessions/${session.pid}/${action}`, {});
      report({ pid: session.pid, action, result });
    } catch (error) {
      report({ pid: session.pid, action, error });
    } finally {
      setBusy(null);
    }
  };
  return html`<span class="pg-actions">
    <button type="button" onClick=${() => signal("cancel")} disabled=${busy !== null}
      aria-label=${`Cancel the query of session ${session.pid}`}>
      ${busy === "cancel" ? "Cancelling…" : "Cancel"}
    </button>
    <button type="button" class="danger" onClick=${() => signal("terminate")} disabled=${busy !== null}
      aria-label=${`Terminate session ${session.pid}`}>${busy === "terminate" ? "Terminating…" : "Terminate"}</button>
  </span>`;
}

function Locks({ session, blocks }) {
  const blocked = session.blocked_by;
  const blocking = blocks.get(session.pid) || [];
  return html`${blocked.length > 0 &&
    html`<span class="pg-lock blocked-by">blocked by <strong class="mono">${blocked.join(", ")}</strong></span>`}
    ${blocking.length > 0 &&
    html`<span class="pg-lock blocks">blocks <strong class="mono">${blocking.join(", ")}</strong></span>`}
    ${!blocked.length && !blocking.length && html`<span class="hint">—</span>`}`;
}

export function SessionsTable({ serverId, sessions, report }) {
  if (sessions.length === 0) return html`<${Empty}>No session matches.<//>`;
  const { rows, blocks } = arrange(sessions);
  const admin = can("admin");
  const columns = ["PID", "Session", "State", "Duration", "Locks", "Query"];
  if (admin) columns.push("Actions");
  return html`<${TableWrap} label="Sessions">
    <table class="pg-sessions">
      <caption class="visually-hidden">
        Sessions: blocking sessions first, with the sessions they block below them
      </caption>
      <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>
        ${rows.map(({ session: s, depth }) => {
          const classes = [s.blocked_by.length ? "blocked" : "", blocks.has(s.pid) ? "blocker" : ""];
          return html`<tr key=${s.pid} class=${classes.join(" ").trim()} data-pid=${s.pid}>
            <td class="mono pg-pid">
              ${depth > 0 && html`<span class=${`pg-indent d${Math.min(depth, 3)}`} aria-hidden="true">↳</span>`}
              ${s.pid}
            </td>
            <td>${s.user ? `${s.user}${s.database ? `@${s.database}` : ""}` : s.backend_type}
              ${(s.application || (s.user && s.backend_type !== "client backend")) &&
              html`<br /><span class="hint">${s.application || s.backend_type}</span>`}
              ${s.client_addr && html`<br /><span class="hint mono">${s.client_addr}</span>`}</td>
            <td><${Badge} value=${s.state || "background"} tone=${stateTones[s.state]} />
              ${s.wait_event_type && html`<br /><span class="hint">${s.wait_event_type}: ${s.wait_event}</span>`}</td>
            <td class="num">${duration(s.duration_ms)}
              ${s.xact_duration_ms !== null &&
              html`<br /><span class="hint">transaction ${duration(s.xact_duration_ms)}</span>`}</td>
            <td><${Locks} session=${s} blocks=${blocks} /></td>
            <td><code class="pg-query" title=${s.query || ""}>${s.query || "—"}</code></td>
            ${admin && html`<td>${signallable.has(s.backend_type) &&
              html`<${SessionActions} serverId=${serverId} session=${s} report=${report} />`}</td>`}
          </tr>`;
        })}
      </tbody>
    </table>
  <//>`;
}
