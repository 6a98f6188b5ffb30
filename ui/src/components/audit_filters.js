// The audit trail's filters: actor, action, outcome, a time range and the page size, all kept in the URL. Times
// are picked in the browser's time zone (datetime-local) and kept in the URL, and sent, as RFC 3339 UTC, so a
// shared link means the same moment wherever it is opened.
import { html } from "../html.js";
import { FilterText } from "./list.js";
import { fromLocalInput, toLocalInput } from "./time.js";

export const outcomes = [
  ["success", "success"],
  ["failure", "failure"],
  ["denied", "denied"],
];
export const pageSizes = [10, 25, 50, 100, 200];
export const defaultLimit = 50;

/// The page size from the URL: any whole number the API takes (1–500), else the default.
export function limitOf(query) {
  const n = Number(query.limit);
  return Number.isInteger(n) && n >= 1 && n <= 500 ? n : defaultLimit;
}

/// A problem with the time range the browser can see before asking the server.
export function rangeError(query) {
  if (query.since && query.until && new Date(query.until) < new Date(query.since)) {
    return "Until must not be before since.";
  }
  return null;
}

/// A labelled text filter; `hint` tells a screen reader what the field takes.
function TextFilter({ name, label, value, set, placeholder, list, hint }) {
  const id = `audit-filter-${name}`;
  return html`<div class="filter">
    <label for=${id}>${label}</label>
    <${FilterText} id=${id} type="search" value=${value} placeholder=${placeholder} list=${list} autocomplete="off"
      aria-describedby=${hint ? `${id}-hint` : undefined} commit=${(text) => set({ [name]: text.trim() })} />
    ${hint && html`<small id=${`${id}-hint`} class="visually-hidden">${hint}</small>`}
  </div>`;
}

function TimeFilter({ name, label, value, set, invalid }) {
  const id = `audit-filter-${name}`;
  return html`<div class="filter">
    <label for=${id}>${label}</label>
    <input id=${id} type="datetime-local" value=${toLocalInput(value)} aria-invalid=${invalid ? "true" : undefined}
      onChange=${(e) => set({ [name]: fromLocalInput(e.currentTarget.value) })} />
  </div>`;
}

/// The filter form. `actions`: action names seen in the stats, offered as suggestions.
export function AuditFilters({ query, set, actions = [] }) {
  const limit = limitOf(query);
  const sizes = pageSizes.includes(limit) ? pageSizes : [...pageSizes, limit].sort((a, b) => a - b);
  const range = rangeError(query);
  const any = ["actor", "action", "outcome", "since", "until"].some((k) => query[k]);
  const clear = () => set({ actor: "", action: "", outcome: "", since: "", until: "" });
  return html`<form class="filters audit-filters" role="search" aria-label="Filter audit events"
      onSubmit=${(e) => e.preventDefault()}>
    <${TextFilter} name="actor" label="Actor" value=${query.actor} set=${set} placeholder="user name or id" />
    <${TextFilter} name="action" label="Action" value=${query.action} set=${set} placeholder="e.g. auth.*"
      list="audit-actions" hint="An exact action, or a prefix ending in * such as auth.*" />
    <datalist id="audit-actions">
      ${actions.map((a) => html`<option value=${a}></option>`)}
    </datalist>
    <div class="filter">
      <label for="audit-filter-outcome">Outcome</label>
      <select id="audit-filter-outcome" value=${query.outcome || ""}
        onChange=${(e) => set({ outcome: e.currentTarget.value })}>
        <option value="">Any</option>
        ${outcomes.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
      </select>
    </div>
    <${TimeFilter} name="since" label="Since" value=${query.since} set=${set} invalid=${Boolean(range)} />
    <${TimeFilter} name="until" label="Until (before)" value=${query.until} set=${set} invalid=${Boolean(range)} />
    <div class="filter">
      <label for="audit-filter-limit">Per page</label>
      <select id="audit-filter-limit" value=${String(limit)}
        onChange=${(e) => set({ limit: Number(e.currentTarget.value) === defaultLimit ? "" : e.currentTarget.value })}>
        ${sizes.map((n) => html`<option value=${String(n)}>${n}</option>`)}
      </select>
    </div>
    ${any && html`<button type="button" onClick=${clear}>Clear filters</button>`}
  </form>
  ${range && html`<p class="field-error" role="alert">${range}</p>`}`;
}
