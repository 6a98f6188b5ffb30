// Label sets as the metrics pages show and edit them: "k=v, k2=v2" text and match[label] query keys.
import { html } from "../html.js";

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/// "k=v, k2=v2" -> {labels} or {error}. Commas or new lines separate pairs; a value keeps inner spaces.
export function parseLabels(text) {
  const labels = {};
  for (const part of String(text || "").split(/[,\n]/)) {
    const pair = part.trim();
    if (!pair) continue;
    const at = pair.indexOf("=");
    if (at < 1) return { error: `"${pair}" is not label=value.` };
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim().replace(/^"(.*)"$/, "$1");
    if (!labelName.test(name)) return { error: `"${name}" is not a label name (letters, digits, _).` };
    labels[name] = value;
  }
  return { labels };
}

export function formatLabels(labels) {
  return Object.entries(labels || {})
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/// A check for useForm/validateWith: the text parses as label=value pairs.
export const labelsCheck = (v) => parseLabels(v).error || null;

/// {label: value} from a page query's match[label] keys.
export function matchOf(query) {
  const match = {};
  for (const [key, value] of Object.entries(query || {})) {
    const m = /^match\[(.+)\]$/.exec(key);
    if (m) match[m[1]] = value;
  }
  return match;
}

/// match[label] query keys for `labels`, with the keys of `previous` not in it blanked (so a URL setter drops them).
export function matchQuery(labels, previous = {}) {
  const out = {};
  for (const key of Object.keys(previous)) out[`match[${key}]`] = "";
  for (const [k, v] of Object.entries(labels || {})) out[`match[${k}]`] = v;
  return out;
}

/// The link to a metric's chart page with `labels` as matchers and the rest of `query` kept.
export function chartHref(name, labels = {}, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== "" && v !== undefined && v !== null) params.set(k, v);
  for (const [k, v] of Object.entries(labels)) params.set(`match[${k}]`, v);
  const text = params.toString();
  return `/series/${encodeURIComponent(name)}${text ? `?${text}` : ""}`;
}

/// name{k="v"} as Prometheus writes a series.
export function seriesText(name, labels) {
  const inner = Object.entries(labels || {})
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ");
  return inner ? `${name || ""}{${inner}}` : name || "{}";
}

export function Labels({ labels }) {
  const entries = Object.entries(labels || {});
  if (!entries.length) return html`<span class="hint">none</span>`;
  return entries.map(([k, v]) => html`<span class="tag mono" key=${k}>${k}=${v}</span>`);
}
