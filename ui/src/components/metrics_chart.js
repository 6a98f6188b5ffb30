// A range query drawn (the answer of GET /api/v1/metrics/query): the uPlot chart, and a table of each series' last,
// min and max (the numbers a screen reader can read; the chart is an image to it). The API's 400 detail (too many
// points, too many series) is shown as it is, since it says what to change.
import { useMemo } from "preact/hooks";
import { html } from "../html.js";
import { Chart } from "./chart.js";
import { Empty, ErrorMessage, Loading } from "./feedback.js";
import { TableWrap } from "./list.js";
import { Labels, seriesText } from "./metrics_labels.js";
import { Time } from "./time.js";

const number = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });
const show = (v) => (v === null || v === undefined || Number.isNaN(v) ? "—" : number.format(v));

function summary(points) {
  if (!points.length) return { last: null, min: null, max: null };
  const values = points.map((p) => p[1]);
  return { last: values[values.length - 1], min: Math.min(...values), max: Math.max(...values) };
}

/// `chart`: the useResource of the query (resource.js); the last chart stays drawn while a new range is asked for.
export function MetricChart({ chart }) {
  const { data, error, loading } = chart;
  // The same array while the data stays: the chart is rebuilt only for new data.
  const series = useMemo(
    () => (data?.series || []).map((s) => ({ label: seriesText("", s.labels), points: s.points, labels: s.labels })),
    [data],
  );
  if (error) return html`<${ErrorMessage} error=${error} retry=${() => chart.reload()} />`;
  if (!data) return html`<${Loading} what="the chart" />`;
  return html`<div class="m-result" aria-busy=${loading}>
    <p class="hint m-resolution" data-testid="resolution">
      ${data.series.length} series · ${data.resolution} data · a point every ${show(data.step)} s ·${" "}
      <${Time} value=${data.from} /> to <${Time} value=${data.to} />
    </p>
    ${series.length === 0
      ? html`<${Empty}>No samples of ${data.name} match in this range.<//>`
      : html`<div class="panel m-chart"><${Chart} series=${series} title=${`${data.agg}(${data.name})`} /></div>
          <${TableWrap} label="Series values">
            <table>
              <caption class="visually-hidden">Values of each series in the range</caption>
              <thead><tr><th scope="col">Series</th><th scope="col">Last</th><th scope="col">Min</th>
                <th scope="col">Max</th><th scope="col">Points</th></tr></thead>
              <tbody>
                ${series.map((s) => {
                  const v = summary(s.points);
                  return html`<tr key=${s.label}>
                    <td><${Labels} labels=${s.labels} /></td><td>${show(v.last)}</td><td>${show(v.min)}</td>
                    <td>${show(v.max)}</td><td>${s.points.length}</td>
                  </tr>`;
                })}
              </tbody>
            </table>
          <//>`}
  </div>`;
}
