// Alert rules: the list (built-ins ship disabled), the rule form opened through the URL (?edit=new or ?edit=<id>),
// enable/disable (the rule replaced with `enabled` flipped) and delete, whose refusal for a built-in is shown.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, can } from "../api.js";
import { html } from "../html.js";
import { ActionButton, ShownOnce } from "./actions.js";
import { Badge } from "./badge.js";
import { PagedTable, usePaged } from "./list.js";
import { chartHref, seriesText } from "./metrics_labels.js";
import { RuleForm, ruleBody } from "./metrics_rule_form.js";

export function condition(rule) {
  const e = rule.expr;
  const held = rule.for_s ? ` for ${rule.for_s} s` : "";
  return `${e.agg}(${seriesText(e.name, e.match)}) over ${e.window_s} s ${rule.op} ${rule.threshold}${held}`;
}

function RuleRow({ rule, list, edit }) {
  const operator = can("operator");
  const toggle = async () => {
    const saved = await api.put(`/api/v1/alert-rules/${rule.id}`, ruleBody(rule, { enabled: !rule.enabled }));
    list.setItems((items) => items.map((r) => (r.id === rule.id ? saved : r)));
  };
  const remove = async () => {
    await api.del(`/api/v1/alert-rules/${rule.id}`);
    list.setItems((items) => items.filter((r) => r.id !== rule.id));
  };
  return html`<tr data-rule=${rule.name}>
    <td>${rule.name} ${rule.builtin && html`<span class="tag">built-in</span>`}
      ${rule.annotations.summary && html`<div class="hint">${rule.annotations.summary}</div>`}</td>
    <td class="mono m-expr"><${Link} href=${chartHref(rule.expr.name, rule.expr.match, { agg: rule.expr.agg })}
      >${condition(rule)}<//></td>
    <td><${Badge} value=${rule.severity} /></td>
    <td><${Badge} value=${rule.enabled ? "enabled" : "disabled"} tone=${rule.enabled ? "good" : "muted"} /></td>
    <td>${rule.webhook_url ? html`<span class="mono">${rule.webhook_url}</span>` : "—"}</td>
    ${operator &&
    html`<td><div class="m-actions">
      <button type="button" onClick=${() => edit(rule.id)} aria-label=${`Edit ${rule.name}`}>Edit</button>
      <${ActionButton} action=${toggle} label=${`${rule.enabled ? "Disable" : "Enable"} ${rule.name}`}
        >${rule.enabled ? "Disable" : "Enable"}<//>
      <${ActionButton} kind="danger" action=${remove} label=${`Delete ${rule.name}`}
        confirm=${`Delete the rule ${rule.name} and its alerts?`}>Delete<//>
    </div></td>`}
  </tr>`;
}

/// `editing`: "", "new" or a rule id (from the URL); `setEditing` changes it.
export function RuleList({ editing, setEditing }) {
  const list = usePaged("/api/v1/alert-rules", {}, { limit: 50 });
  const [secret, setSecret] = useState(null);
  const operator = can("operator");
  const saved = (rule) => {
    setSecret(rule.webhook_secret ? { name: rule.name, value: rule.webhook_secret } : null);
    setEditing("");
    list.reload();
  };
  // A new form hides the secret of the previous save: it was shown once.
  const edit = (id) => {
    setSecret(null);
    setEditing(id);
  };
  const columns = ["Rule", "Condition", "Severity", "State", "Webhook", ...(operator ? ["Actions"] : [])];
  return html`<div>
    ${operator && !editing &&
    html`<p><button type="button" class="primary" onClick=${() => edit("new")}>New rule</button></p>`}
    ${secret && html`<${ShownOnce} label=${`Webhook secret of ${secret.name}`} value=${secret.value} />`}
    ${operator && editing &&
    html`<${RuleForm} key=${editing} id=${editing} saved=${saved} cancel=${() => setEditing("")} />`}
    <${PagedTable} list=${list} caption="Alert rules" empty="No alert rule yet." columns=${columns}
      row=${(rule) => html`<${RuleRow} key=${rule.id} rule=${rule} list=${list} edit=${edit} />`} />
  </div>`;
}
