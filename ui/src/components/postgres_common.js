// What the PostgreSQL views share: number formats, a monitored database's failure shown by its kind, and the
// refresh button of a loaded answer (resource.js).
import { can } from "../api.js";
import { html } from "../html.js";
import { errorText } from "./feedback.js";

const integer = new Intl.NumberFormat();
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

export const num = (n) => (n === null || n === undefined ? "—" : integer.format(n));
export const ratio = (n) => (n === null || n === undefined ? "—" : percent.format(n));

export function bytes(n) {
  if (n === null || n === undefined) return "—";
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit ? decimal.format(value) : integer.format(value)} ${units[unit]}`;
}

/// A duration in milliseconds as "850 ms", "12.4 s", "3 min 5 s", "2 h 10 min", "3 d 4 h".
export function duration(ms) {
  if (ms === null || ms === undefined) return "—";
  if (ms < 10) return `${decimal.format(ms)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${decimal.format(s)} s`;
  const whole = Math.floor(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  if (whole < 86400) return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
  return `${Math.floor(whole / 86400)} d ${Math.floor((whole % 86400) / 3600)} h`;
}

// What each `kind` of a monitored database's failure means to the reader; the detail says the rest.
const kinds = {
  unreachable: "PostgreSQL cannot be reached",
  auth_failed: "PostgreSQL refused gatehouse's login",
  timeout: "PostgreSQL did not answer in time",
  insufficient_privilege: "The monitoring role lacks a privilege",
  tunnel_failed: "The SSH tunnel to PostgreSQL failed",
  not_configured: "This server has no PostgreSQL endpoint",
  query_failed: "A monitoring query failed",
};

/// A failed request: for a monitored database's failure (502/503/409 with `kind`) what kind it is, then the
/// problem's detail; `retry` offers to ask again.
export function PgError({ error, retry, stale }) {
  if (!error) return null;
  const kind = error.problem?.kind;
  const title = kinds[kind] || (error.status ? error.problem?.title : null);
  return html`<div class="error pg-error" role="alert" data-kind=${kind || ""}>
    ${title && html`<strong>${title}.</strong> `}
    <span>${errorText(error)}</span>
    ${error.status && html` <span class="pg-error-code">(HTTP ${error.status}${kind ? `, ${kind}` : ""})</span>`}
    ${stale && html` <span>${stale}</span>`}
    ${retry && html` <button type="button" class="link" onClick=${retry}>Try again</button>`}
  </div>`;
}

/// Asks again for a `useResource` answer: operators and admins skip the cache, a viewer gets the cached one.
export function RefreshButton({ resource }) {
  const again = () => resource.reload(can("operator") ? { fresh: true } : {});
  return html`<button type="button" disabled=${resource.loading} onClick=${again}>
    ${resource.loading ? "Refreshing…" : "Refresh"}
  </button>`;
}

/// A labelled term and value for a <dl class="facts">.
export function Fact({ term, children }) {
  return html`<dt>${term}</dt><dd>${children}</dd>`;
}
