// Time-series charts with uPlot. `series`: [{label, points: [[unixSeconds, value], ...]}]; the x values of all
// series are merged (a series without a point at some x shows a gap). Sized to its container; redrawn on resize.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { html } from "../html.js";

const palette = [
  "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
];

/// uPlot's column data from point lists: [xs, ys1, ys2, ...].
function toColumns(series) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = [xs];
  for (const s of series) {
    const ys = new Array(xs.length).fill(null);
    for (const [x, y] of s.points) ys[index.get(x)] = y;
    columns.push(ys);
  }
  return columns;
}

export function Chart({ series, title, height = 260, yLabel, bars = false }) {
  const box = useRef(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const width = Math.max(280, element.clientWidth || 600);
    const options = {
      title,
      width,
      height,
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: palette[i % palette.length],
          fill: bars ? `${palette[i % palette.length]}55` : undefined,
          width: 1.5,
          paths: bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
          points: { show: false },
        })),
      ],
      axes: [
        { stroke: "currentColor", grid: { stroke: "#8883" } },
        { stroke: "currentColor", grid: { stroke: "#8883" }, label: yLabel },
      ],
      legend: { live: true },
    };
    const plot = new uPlot(options, toColumns(series), element);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(280, element.clientWidth), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [series, title, height, yLabel, bars]);
  return html`<div class="chart" ref=${box} role="img" aria-label=${title || "Chart"}></div>`;
}
