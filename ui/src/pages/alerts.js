// Alerts: what fires (firing first), the rules that make them (?view=rules), and one alert with its history, its
// webhook deliveries and the acknowledgement an operator gives with a comment.
import { Link } from "wouter-preact";
import { api, can, session } from "../api.js";
import { Badge } from "../components/badge.js";
import { Empty, ErrorMessage, Loading } from "../components/feedback.js";
import { Field, FormError, Submit, useForm } from "../components/form.js";
import { PageHeader } from "../components/layout.js";
import { TableWrap, useQueryState } from "../components/list.js";
import { AlertList, AlertState } from "../components/metrics_alerts.js";
import { chartHref, Labels } from "../components/metrics_labels.js";
import { RuleList, condition } from "../components/metrics_rules.js";
import { useResource } from "../components/resource.js";
import { Ago, Time } from "../components/time.js";
import { html } from "../html.js";
import "./metrics.css";

function Tabs({ view }) {
  // A div with the landmark role: the layout's styles for <nav> (the side menu, hidden on a phone) must not apply.
  return html`<div role="navigation" aria-label="Alert views"><ul class="m-tabs">
    <li><${Link} href="/alerts" aria-current=${view === "rules" ? undefined : "page"}>Alerts<//></li>
    <li><${Link} href="/alerts?view=rules" aria-current=${view === "rules" ? "page" : undefined}>Rules<//></li>
  </ul></div>`;
}

export function Alerts() {
  const [query, setQuery] = useQueryState();
  const rules = query.view === "rules";
  return html`<section class="m-page">
    <${PageHeader} title=${rules ? "Alert rules" : "Alerts"} />
    <${Tabs} view=${query.view} />
    ${rules
      ? html`<${RuleList} editing=${query.edit || ""} setEditing=${(edit) => setQuery({ edit })} />`
      : html`<${AlertList} query=${query} setQuery=${setQuery} />`}
  </section>`;
}

function Acknowledge({ alert, done }) {
  const form = useForm({ comment: "" });
  const submit = form.submit(async (v) => {
    done(await api.post(`/api/v1/alerts/${alert.id}/acknowledge`, { comment: v.comment.trim() || null }));
  });
  return html`<form class="panel m-ack" onSubmit=${submit} novalidate aria-labelledby="ack-title">
    <h2 id="ack-title">Acknowledge</h2>
    <p class="hint">No more repeat notifications; the alert stays firing until its condition stops.</p>
    <${Field} form=${form} name="comment" label="Comment" type="textarea" maxlength="2000"
      hint="Why, or what is being done" />
    <${FormError} form=${form} />
    <div class="form-actions"><${Submit} form=${form}>Acknowledge<//></div>
  </form>`;
}

const stateOrder = ["pending", "firing", "acknowledged", "resolved"];
function byTime(a, b) {
  return a.at.localeCompare(b.at) || stateOrder.indexOf(a.state) - stateOrder.indexOf(b.state);
}

function History({ items }) {
  if (!items.length) return html`<${Empty}>No state change yet.<//>`;
  return html`<${TableWrap} label="History"><table>
    <caption class="visually-hidden">State changes</caption>
    <thead><tr>
      <th scope="col">At</th><th scope="col">State</th><th scope="col">Value</th><th scope="col">Note</th>
    </tr></thead>
    <tbody>${[...items].sort(byTime).map((h) => html`<tr key=${h.id}>
      <td><${Time} value=${h.at} /></td><td><${Badge} value=${h.state} /></td><td>${h.value ?? "—"}</td>
      <td>${h.note}</td>
    </tr>`)}</tbody>
  </table><//>`;
}

function Deliveries({ items }) {
  if (!items.length) return html`<${Empty}>No webhook delivery (the rule has no webhook, or none was due).<//>`;
  return html`<${TableWrap} label="Webhook deliveries"><table>
    <caption class="visually-hidden">Webhook delivery attempts</caption>
    <thead><tr><th scope="col">At</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Answer</th>
      <th scope="col">URL</th></tr></thead>
    <tbody>${items.map((d) => html`<tr key=${d.id}>
      <td><${Time} value=${d.at} /></td><td>${d.event}</td><td>${d.attempt}</td>
      <td>${d.status !== null && html`<${Badge} value=${`HTTP ${d.status}`} tone=${d.status < 300 ? "good" : "bad"} />`}
        ${d.error && html` <span class="field-error">${d.error}</span>`}</td>
      <td class="mono m-expr">${d.url}</td>
    </tr>`)}</tbody>
  </table><//>`;
}

export function AlertsDetail({ params }) {
  const loaded = useResource(`/api/v1/alerts/${params.id}`);
  const alert = loaded.data;
  // Asked again only for another rule: a refresh re-reads the alert, its rule seldom changes. Without it (deleted,
  // or refused) the alert still shows, with the rule's name it carries.
  const ruleId = alert?.rule_id;
  const rule = useResource(`/api/v1/alert-rules/${ruleId}`, {}, { enabled: Boolean(ruleId) }).data;
  const load = () => loaded.reload();
  if (loaded.error) return html`<${ErrorMessage} error=${loaded.error} retry=${load} />`;
  if (!alert) return html`<${Loading} what="the alert" />`;
  const me = session().user?.id;
  const by = alert.acknowledged_by === me ? "you" : alert.acknowledged_by;
  const canAck = can("operator") && !alert.acknowledged && alert.state !== "resolved";
  return html`<section class="m-page">
    <${PageHeader} title=${`Alert: ${alert.rule_name}`}>
      <button type="button" onClick=${load}>Refresh</button>
      ${rule &&
      html`<${Link} href=${chartHref(rule.expr.name, { ...rule.expr.match, ...alert.labels }, { agg: rule.expr.agg })}
        class="button">Chart the metric<//>`}
      <${Link} href="/alerts" class="button">All alerts<//>
    <//>
    <div class="grid">
      <div class="panel">
        <h2>State</h2>
        <dl class="facts">
          <dt>State</dt><dd data-testid="alert-state"><${AlertState} alert=${alert} /></dd>
          <dt>Severity</dt><dd><${Badge} value=${alert.severity} /></dd>
          <dt>Value</dt><dd>${alert.value ?? "—"}</dd>
          <dt>Labels</dt><dd><${Labels} labels=${alert.labels} /></dd>
          <dt>Started</dt><dd><${Time} value=${alert.started_at} /></dd>
          <dt>Fired</dt><dd><${Time} value=${alert.fired_at} fallback="not yet" /></dd>
          <dt>Resolved</dt><dd><${Time} value=${alert.resolved_at} fallback="not yet" /></dd>
          <dt>Rule</dt><dd>${rule ? html`<${Link} href="/alerts?view=rules">${rule.name}<//>
            <div class="mono m-expr hint">${condition(rule)}</div>` : alert.rule_name}</dd>
        </dl>
      </div>
      ${alert.acknowledged &&
      html`<div class="panel" data-testid="acknowledgement">
        <h2>Acknowledged</h2>
        <dl class="facts">
          <dt>By</dt><dd class="mono">${by}</dd>
          <dt>At</dt><dd><${Time} value=${alert.acknowledged_at} /> (<${Ago} value=${alert.acknowledged_at} />)</dd>
          <dt>Comment</dt><dd>${alert.ack_comment || "—"}</dd>
        </dl>
      </div>`}
    </div>
    ${canAck && html`<${Acknowledge} alert=${alert} done=${load} />`}
    <h2>History</h2>
    <${History} items=${alert.history} />
    <h2>Webhook deliveries</h2>
    <${Deliveries} items=${alert.deliveries} />
  </section>`;
}
