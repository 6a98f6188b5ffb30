// The audit trail's events per day (GET /api/v1/audit/stats, UTC days): all events as bars, the failed and denied
// ones drawn over them, with the totals as text beside the chart (its text alternative).
import { useMemo } from "preact/hooks";
import { html } from "../html.js";
import { Chart } from "./chart.js";
import { Empty, ErrorMessage, Loading } from "./feedback.js";
import { useResource } from "./resource.js";

const minDays = 14;
const count = new Intl.NumberFormat();

/// Stats rows for since/until: {items, error, loading, reload}. The chart of the last range stays while a new range
/// is asked for; `loading` is only the wait for a first answer.
export function useAuditStats(since, until) {
  const stats = useResource("/api/v1/audit/stats", { since, until }, { keep: true });
  const items = stats.data?.items ?? null;
  return { items, error: stats.error, loading: !items && !stats.error, reload: () => stats.reload() };
}

/// "2026-01-31" → a local Date at that day's midnight, so the chart's axis (local time) labels the same day.
function localDay(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d);
}
const key = (date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

/// Per-day totals with the days between (and up to a week before the last) filled with zeros, so bars stand
/// at their real place and a quiet day shows as one.
export function perDay(items) {
  const totals = new Map();
  for (const row of items) {
    const t = totals.get(row.day) || { all: 0, failed: 0 };
    t.all += row.count;
    if (row.outcome !== "success") t.failed += row.count;
    totals.set(row.day, t);
  }
  const days = [...totals.keys()].sort();
  if (!days.length) return [];
  const last = localDay(days[days.length - 1]);
  const first = localDay(days[0]);
  const start = new Date(last);
  start.setDate(start.getDate() - (minDays - 1));
  const out = [];
  for (const d = first < start ? first : start; d <= last; d.setDate(d.getDate() + 1)) {
    out.push({ x: d.getTime() / 1000, ...(totals.get(key(d)) || { all: 0, failed: 0 }) });
  }
  return out;
}

export function AuditChart({ stats }) {
  const days = useMemo(() => (stats.items ? perDay(stats.items) : []), [stats.items]);
  const series = useMemo(() => {
    // An empty day each side (no bar) keeps the first and last bars whole inside the plot.
    const edges = days.length ? [days[0].x - 86400, days[days.length - 1].x + 86400] : [];
    const padded = (pick) => [...days.map((d) => [d.x, pick(d)]), ...edges.map((x) => [x, null])];
    return [
      { label: "All events", points: padded((d) => d.all) },
      { label: "Failed or denied", points: padded((d) => d.failed) },
    ];
  }, [days]);
  if (stats.error) return html`<${ErrorMessage} error=${stats.error} retry=${stats.reload} />`;
  if (stats.loading) return html`<${Loading} what="the daily counts" />`;
  if (!days.length) return html`<${Empty}>No events in this time range.<//>`;
  const all = days.reduce((s, d) => s + d.all, 0);
  const failed = days.reduce((s, d) => s + d.failed, 0);
  return html`<div class="audit-chart">
    <p class="audit-totals" data-role="totals">
      <strong>${count.format(all)}</strong> events, <strong>${count.format(failed)}</strong> failed or denied${" "}
      <span class="hint">(days in UTC)</span>
    </p>
    <${Chart} series=${series} bars=${true} height=${200} title="Audit events per day" yLabel="events" />
  </div>`;
}
