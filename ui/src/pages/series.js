// Metrics: the stored series (name and labels, paged and filtered on the server) to pick from, and a metric's
// chart over a chosen range with label matchers, aggregation and grouping, all kept in the URL.
// The route is /series because /metrics is the Prometheus export.
import { useState } from "preact/hooks";
import { Link, useSearch } from "wouter-preact";
import { PageHeader } from "../components/layout.js";
import { FilterText, PagedTable, usePaged, useQueryState } from "../components/list.js";
import { MetricChart } from "../components/metrics_chart.js";
import { chartHref, formatLabels, Labels, matchOf, matchQuery, parseLabels } from "../components/metrics_labels.js";
import { QueryForm, RangeButtons, apiQuery } from "../components/metrics_query.js";
import { useResource } from "../components/resource.js";
import { html } from "../html.js";
import "./metrics.css";

/// Name and label filters of the series list; labels are typed as text and kept as match[label] in the URL.
function SeriesFilters({ query, setQuery }) {
  // Typed labels live here until committed (Enter or leaving the field): a re-render while typing keeps them.
  const [labels, setLabels] = useState(formatLabels(matchOf(query)));
  const parsed = parseLabels(labels);
  const applyLabels = () => !parsed.error && setQuery(matchQuery(parsed.labels, matchOf(query)));
  return html`<form class="filters" role="search" onSubmit=${(e) => (e.preventDefault(), applyLabels())}>
    <label for="series-name">
      <span>Metric name</span>
      <${FilterText} id="series-name" type="search" value=${query.name} placeholder="pg_up" spellcheck="false"
        commit=${(text) => setQuery({ name: text.trim() })} />
    </label>
    <label for="series-labels">
      <span>Labels</span>
      <input id="series-labels" type="search" value=${labels} placeholder="server=…, datname=…" spellcheck="false"
        aria-invalid=${parsed.error ? "true" : undefined}
        aria-describedby=${parsed.error ? "series-labels-error" : undefined}
        onInput=${(e) => setLabels(e.currentTarget.value)} onChange=${applyLabels} />
    </label>
    ${parsed.error && html`<small id="series-labels-error" class="field-error">${parsed.error}</small>`}
  </form>`;
}

export function Series() {
  const [query, setQuery] = useQueryState();
  const list = usePaged("/api/v1/metrics/series", { name: query.name, ...matchQuery(matchOf(query)) }, { limit: 100 });
  return html`<section class="m-page">
    <${PageHeader} title="Metrics">
      ${query.name &&
      html`<${Link} href=${chartHref(query.name, matchOf(query))} class="button primary">Chart ${query.name}<//>`}
    <//>
    <p class="hint">Every stored series: sampled from monitored PostgreSQL servers or pushed by collectors. Pick one
      to chart it.</p>
    <${SeriesFilters} query=${query} setQuery=${setQuery} />
    <${PagedTable} list=${list} caption="Series" empty="No series matches. Series appear once samples arrive."
      columns=${["Metric", "Labels", ""]}
      row=${(s) => html`<tr key=${s.name + JSON.stringify(s.labels)}>
        <td><${Link} href=${chartHref(s.name)} class="mono">${s.name}<//></td>
        <td><${Labels} labels=${s.labels} /></td>
        <td><${Link} href=${chartHref(s.name, s.labels)}
          >Chart this series<span class="visually-hidden"> ${s.name} ${formatLabels(s.labels)}</span><//></td>
      </tr>`} />
  </section>`;
}

/// The series of one metric, each a link that narrows the chart to it (the range and aggregation stay).
function MetricSeries({ name, query }) {
  const list = usePaged("/api/v1/metrics/series", { name }, { limit: 50 });
  const keep = Object.fromEntries(Object.entries(query).filter(([k]) => !k.startsWith("match[")));
  return html`<h2>Series of ${name}</h2>
    <${PagedTable} list=${list} caption=${`Series of ${name}`} empty="No series stored under this name."
      columns=${["Labels", ""]}
      row=${(s) => html`<tr key=${JSON.stringify(s.labels)}>
        <td><${Labels} labels=${s.labels} /></td>
        <td><${Link} href=${chartHref(name, s.labels, keep)}
          >Only this series<span class="visually-hidden"> ${formatLabels(s.labels)}</span><//></td>
      </tr>`} />`;
}

export function SeriesDetail({ params }) {
  const name = decodeURIComponent(params.id);
  const [query, setQuery] = useQueryState();
  const search = useSearch();
  const chart = useResource("/api/v1/metrics/query", apiQuery(name, query), { keep: true });
  return html`<section class="m-page">
    <${PageHeader} title=${name}>
      <button type="button" onClick=${() => chart.reload()}>Refresh</button>
      <${Link} href="/series" class="button">All series<//>
    <//>
    <${RangeButtons} values=${query} set=${setQuery} />
    <${QueryForm} key=${name + search} name=${name} values=${query} set=${setQuery} />
    <${MetricChart} chart=${chart} />
    <${MetricSeries} name=${name} query=${query} />
  </section>`;
}
