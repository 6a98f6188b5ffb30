// The chart page's controls: range presets that apply at once, and a form for the metric, label matchers,
// aggregation, grouping, step and a custom range. Everything lives in the URL, so a chart can be shared.
import { useLocation } from "wouter-preact";
import { Field, FormError, check, useForm, validateWith } from "./form.js";
import {
  chartHref, formatLabels, labelsCheck, matchOf, matchQuery, metricName, parseLabels,
} from "./metrics_labels.js";
import { fromLocalInput, toLocalInput } from "./time.js";
import { html } from "../html.js";

export const presets = [
  ["1h", "1 h", 3600],
  ["6h", "6 h", 6 * 3600],
  ["24h", "24 h", 86400],
  ["7d", "7 d", 7 * 86400],
];
export const aggregations = ["avg", "min", "max", "sum", "count", "last", "p95"];

/// The API query for the page's URL values: {name, match[...], from, to, step, agg, group_by}.
export function apiQuery(name, values) {
  const preset = presets.find((p) => p[0] === (values.range || "1h"));
  const range = preset ? { from: -preset[2] } : { from: values.from, to: values.to };
  return {
    name,
    ...matchQuery(matchOf(values)),
    ...range,
    step: values.step,
    agg: values.agg || "avg",
    group_by: values.group_by,
  };
}

const validate = validateWith({
  name: [check.required, (v) => (metricName.test(v.trim()) ? null : "Letters, digits, _ and : (not first a digit).")],
  labels: [labelsCheck],
  group_by: [(v) => (/^[a-zA-Z0-9_,\s]*$/.test(v) ? null : "Label names separated by commas.")],
  step: [check.positive],
  from: [(v, all) => (all.range === "custom" && !fromLocalInput(v) ? "Choose a start." : null)],
  to: [
    (v, all) => (all.range === "custom" && !fromLocalInput(v) ? "Choose an end." : null),
    (v, all) => {
      const backwards = all.range === "custom" && fromLocalInput(all.from) >= fromLocalInput(v);
      return backwards ? "The end must come after the start." : null;
    },
  ],
});

/// Range presets: buttons that change the URL at once (aria-pressed says which one is on).
export function RangeButtons({ values, set }) {
  const current = values.range || "1h";
  const hourAgo = new Date(Date.now() - 3600_000).toISOString();
  return html`<div class="m-ranges" role="group" aria-label="Time range">
    ${presets.map(
      ([key, text]) => html`<button type="button" key=${key} aria-pressed=${current === key}
        onClick=${() => set({ range: key, from: "", to: "" })}>${text}</button>`,
    )}
    <button type="button" aria-pressed=${current === "custom"}
      onClick=${() => current !== "custom" && set({ range: "custom", from: hourAgo, to: new Date().toISOString() })}
      >Custom</button>
  </div>`;
}

/// The query form; remount it (key) when the URL changes so it shows what the URL says.
export function QueryForm({ name, values, set }) {
  const [, navigate] = useLocation();
  const form = useForm(
    {
      name,
      labels: formatLabels(matchOf(values)),
      agg: values.agg || "avg",
      group_by: values.group_by || "",
      step: values.step || "",
      range: values.range || "1h",
      from: toLocalInput(values.from),
      to: toLocalInput(values.to),
    },
    validate,
  );
  const submit = form.submit(async (v) => {
    const next = {
      agg: v.agg === "avg" ? "" : v.agg,
      group_by: v.group_by.split(",").map((s) => s.trim()).filter(Boolean).join(","),
      step: String(v.step).trim(),
      from: v.range === "custom" ? fromLocalInput(v.from) : "",
      to: v.range === "custom" ? fromLocalInput(v.to) : "",
    };
    const labels = parseLabels(v.labels).labels;
    const metric = v.name.trim();
    if (metric !== name) {
      // Another metric: another page, same settings.
      const keep = { ...next, range: values.range || "" };
      navigate(chartHref(metric, labels, keep));
      return;
    }
    set({ ...next, ...matchQuery(labels, matchOf(values)) });
  });
  return html`<form class="panel m-query" onSubmit=${submit} novalidate aria-label="Chart settings">
    <div class="m-query-fields">
      <${Field} form=${form} name="name" label="Metric" required autocomplete="off" spellcheck="false" />
      <${Field} form=${form} name="labels" label="Label matchers" hint="label=value, separated by commas"
        autocomplete="off" spellcheck="false" />
      <${Field} form=${form} name="agg" label="Aggregation" type="select" options=${aggregations.map((a) => [a, a])} />
      <${Field} form=${form} name="group_by" label="Group by" hint="labels, e.g. server,datname" autocomplete="off" />
      <${Field} form=${form} name="step" label="Step (s)" type="number" min="1" hint="blank: about 240 points" />
      ${values.range === "custom" &&
      html`<${Field} form=${form} name="from" label="From" type="datetime-local" step="1" />
        <${Field} form=${form} name="to" label="To" type="datetime-local" step="1" />`}
    </div>
    <${FormError} form=${form} />
    <div class="form-actions"><button type="submit" class="primary" disabled=${form.busy}>Apply</button></div>
  </form>`;
}
