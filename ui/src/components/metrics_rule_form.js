// Create or edit an alert rule: the expression {metric, matchers, aggregation, window}, the condition, for_s,
// severity and the webhook. A rule is replaced whole (PUT), so editing sends every field again; a generated webhook
// secret comes back once and the caller shows it.
import { api } from "../api.js";
import { html } from "../html.js";
import { ErrorMessage, Loading } from "./feedback.js";
import { Field, FormError, Submit, check, renameFields, useForm, validateWith } from "./form.js";
import { formatLabels, labelsCheck, metricName, parseLabels } from "./metrics_labels.js";
import { aggregations } from "./metrics_query.js";
import { useResource } from "./resource.js";

const ops = [">", ">=", "<", "<=", "==", "!="];
const severities = ["info", "warning", "critical"];
// The API's field names (from its detail) to this form's.
const apiFields = {
  name: "name", "expr.name": "metric", "expr.match": "match", "expr.agg": "agg", "expr.window_s": "window_s", op: "op",
  threshold: "threshold", for_s: "for_s", severity: "severity", labels: "labels", annotations: "summary",
  webhook_url: "webhook_url", webhook_secret: "webhook_secret", repeat_interval_s: "repeat_interval_s",
};

const blank = {
  name: "", metric: "", match: "", agg: "avg", window_s: "60", op: ">", threshold: "", for_s: "0", severity: "warning",
  labels: "", summary: "", webhook_url: "", webhook_secret: "", repeat_interval_s: "3600", enabled: true,
};

function valuesOf(rule) {
  return {
    name: rule.name, metric: rule.expr.name, match: formatLabels(rule.expr.match), agg: rule.expr.agg,
    window_s: String(rule.expr.window_s), op: rule.op, threshold: String(rule.threshold), for_s: String(rule.for_s),
    severity: rule.severity, labels: formatLabels(rule.labels), summary: rule.annotations.summary || "",
    webhook_url: rule.webhook_url || "", webhook_secret: "", repeat_interval_s: String(rule.repeat_interval_s),
    enabled: rule.enabled,
  };
}

/// The body the API takes for a rule; `rule` keeps the annotations this form does not show.
export function ruleBody(rule, changes = {}) {
  return {
    name: rule.name, expr: rule.expr, op: rule.op, threshold: rule.threshold, for_s: rule.for_s,
    severity: rule.severity, labels: rule.labels, annotations: rule.annotations, webhook_url: rule.webhook_url,
    repeat_interval_s: rule.repeat_interval_s, enabled: rule.enabled, ...changes,
  };
}

function bodyOf(v, original) {
  const annotations = { ...(original?.annotations || {}) };
  if (v.summary.trim()) annotations.summary = v.summary.trim();
  else delete annotations.summary;
  const body = {
    name: v.name.trim(),
    expr: { name: v.metric.trim(), match: parseLabels(v.match).labels, agg: v.agg, window_s: Number(v.window_s) },
    op: v.op, threshold: Number(v.threshold), for_s: Number(v.for_s), severity: v.severity,
    labels: parseLabels(v.labels).labels, annotations, webhook_url: v.webhook_url.trim() || null,
    repeat_interval_s: Number(v.repeat_interval_s), enabled: Boolean(v.enabled),
  };
  if (v.webhook_secret) body.webhook_secret = v.webhook_secret;
  return body;
}

const wholeSeconds = (max) => (v) =>
  Number.isInteger(Number(v)) && v !== "" && Number(v) >= 0 && Number(v) <= max ? null : `0 to ${max} seconds.`;
const validate = validateWith({
  name: [check.required, check.maxLength(200, { trimmed: true })],
  metric: [check.required, (v) => (metricName.test(v.trim()) ? null : "Letters, digits, _ and : (not first a digit).")],
  match: [labelsCheck],
  window_s: [check.required, check.positive, wholeSeconds(604800)],
  threshold: [check.required, (v) => (Number.isFinite(Number(v)) ? null : "A number.")],
  for_s: [check.required, wholeSeconds(604800)],
  labels: [labelsCheck],
  webhook_url: [(v) => (!v.trim() || /^https?:\/\/[^\s/@#]+(\/[^\s#]*)?$/.test(v.trim()) ? null : "An http(s) URL.")],
  webhook_secret: [(v) => (!v || v.length >= 16 ? null : "At least 16 characters (or blank).")],
  repeat_interval_s: [check.required, check.positive, wholeSeconds(2592000)],
});

/// `id`: "new" or the rule's id. `saved(rule)` after a save (the rule may carry `webhook_secret`).
export function RuleForm({ id, saved, cancel }) {
  const editing = id !== "new";
  const loaded = useResource(`/api/v1/alert-rules/${id}`, {}, { enabled: editing });
  if (!editing) return html`<${RuleEditor} saved=${saved} cancel=${cancel} />`;
  if (loaded.error) return html`<${ErrorMessage} error=${loaded.error} retry=${() => loaded.reload()} />`;
  if (!loaded.data) return html`<${Loading} what="the rule" />`;
  return html`<${RuleEditor} original=${loaded.data} saved=${saved} cancel=${cancel} />`;
}

/// The form itself, filled with `original` (the rule as loaded) when editing.
function RuleEditor({ original, saved, cancel }) {
  const editing = Boolean(original);
  const form = useForm(editing ? valuesOf(original) : blank, validate);
  const submit = form.submit(async (values) => {
    const body = bodyOf(values, original);
    try {
      saved(editing
        ? await api.put(`/api/v1/alert-rules/${original.id}`, body)
        : await api.post("/api/v1/alert-rules", body));
    } catch (error) {
      // A conflict is the name: rule names are unique.
      if (error.status === 409 && error.fields) error.fields = { name: "Another rule has this name." };
      throw renameFields(error, apiFields);
    }
  });
  const title = editing ? `Edit ${original.name}` : "New alert rule";
  return html`<form class="panel m-form" onSubmit=${submit} novalidate aria-labelledby="rule-form-title">
    <h2 id="rule-form-title">${title}</h2>
    ${original?.builtin && html`<p class="hint">A built-in rule: it can be changed and disabled, not deleted.</p>`}
    <${Field} form=${form} name="name" label="Rule name" required />
    <fieldset>
      <legend>Expression</legend>
      <${Field} form=${form} name="metric" label="Metric" required spellcheck="false" autocomplete="off" />
      <${Field} form=${form} name="match" label="Label matchers"
        hint="label=value, separated by commas; blank: every series"
        spellcheck="false" autocomplete="off" />
      <div class="m-pair">
        <${Field} form=${form} name="agg" label="Aggregation" type="select"
          options=${aggregations.map((a) => [a, a])} />
        <${Field} form=${form} name="window_s" label="Window (s)" type="number" min="1" required
          hint="samples reduced to one value per series" />
      </div>
    </fieldset>
    <fieldset>
      <legend>Condition</legend>
      <div class="m-pair">
        <${Field} form=${form} name="op" label="Operator" type="select" options=${ops.map((o) => [o, o])} />
        <${Field} form=${form} name="threshold" label="Threshold" type="number" step="any" required />
        <${Field} form=${form} name="for_s" label="For (s)" type="number" min="0" required
          hint="held this long before firing" />
        <${Field} form=${form} name="severity" label="Severity" type="select"
          options=${severities.map((s) => [s, s])} />
      </div>
      <${Field} form=${form} name="summary" label="Summary" hint="sent with the alert (annotation summary)" />
      <${Field} form=${form} name="labels" label="Extra labels" hint="label=value, added to each alert"
        spellcheck="false" />
    </fieldset>
    <fieldset>
      <legend>Notification</legend>
      <${Field} form=${form} name="webhook_url" label="Webhook URL" type="url" spellcheck="false"
        hint="blank: no webhook" />
      <${Field} form=${form} name="webhook_secret" label="Webhook secret" type="password" autocomplete="new-password"
        hint=${original?.webhook_secret_set ? "blank: keep the stored secret" : "blank: generated and shown once"} />
      <${Field} form=${form} name="repeat_interval_s" label="Repeat every (s)" type="number" min="1" required
        hint="until acknowledged" />
    </fieldset>
    <${Field} form=${form} name="enabled" label="Enabled" type="checkbox" />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>${editing ? "Save rule" : "Create rule"}<//>
      <button type="button" onClick=${cancel}>Cancel</button>
    </div>
  </form>`;
}
