// Alerts, filtered on the server by state and severity. Without a state filter the firing ones come first: one
// paged list per state (firing, pending, resolved), since the API lists newest first whatever the state.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { html } from "../html.js";
import { Badge } from "./badge.js";
import { Filters, PagedTable, usePaged } from "./list.js";
import { Labels } from "./metrics_labels.js";
import { Ago } from "./time.js";

export const alertStates = [["firing", "firing"], ["pending", "pending"], ["resolved", "resolved"]];
const severities = [["critical", "critical"], ["warning", "warning"], ["info", "info"]];
const number = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });

export function AlertState({ alert }) {
  return html`<${Badge} value=${alert.state} />${alert.acknowledged && html` <${Badge} value="acknowledged" />`}`;
}

function AlertRow(a) {
  return html`<tr key=${a.id} data-alert=${a.id}>
    <td><${Link} href=${`/alerts/${a.id}`}>${a.rule_name}<//></td>
    <td><${Labels} labels=${a.labels} /></td>
    <td><${AlertState} alert=${a} /></td>
    <td><${Badge} value=${a.severity} /></td>
    <td>${a.value === null ? "—" : number.format(a.value)}</td>
    <td><${Ago} value=${a.started_at} /></td>
    <td>${a.resolved_at
      ? html`resolved <${Ago} value=${a.resolved_at} />`
      : a.fired_at ? html`fired <${Ago} value=${a.fired_at} />` : "—"}</td>
  </tr>`;
}

const columns = ["Rule", "Labels", "State", "Severity", "Value", "Started", "Fired / resolved"];

function AlertSection({ title, query, empty }) {
  const list = usePaged("/api/v1/alerts", query, { limit: 25 });
  const id = `alerts-${query.state || "all"}`;
  return html`<section aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    <${PagedTable} list=${list} caption=${title} empty=${empty} columns=${columns} row=${AlertRow} />
  </section>`;
}

export function AlertList({ query, setQuery }) {
  // Bumped by Refresh: the sections remount and load their first page again.
  const [tick, setTick] = useState(0);
  const severity = query.severity;
  return html`<div>
    <div class="m-section-title">
      <${Filters} values=${query} set=${setQuery} fields=${[
        { name: "state", label: "State", options: alertStates },
        { name: "severity", label: "Severity", options: severities },
      ]} />
      <button type="button" onClick=${() => setTick(tick + 1)}>Refresh</button>
    </div>
    <div key=${tick}>
      ${query.state
        ? html`<${AlertSection} title=${`${query.state[0].toUpperCase()}${query.state.slice(1)} alerts`}
            query=${{ state: query.state, severity }} empty="No alert in this state." />`
        : html`<${AlertSection} title="Firing" query=${{ state: "firing", severity }} empty="Nothing is firing." />
            <${AlertSection} title="Pending" query=${{ state: "pending", severity }} empty="Nothing is pending." />
            <${AlertSection} title="Resolved" query=${{ state: "resolved", severity }} empty="No resolved alert." />`}
    </div>
  </div>`;
}
