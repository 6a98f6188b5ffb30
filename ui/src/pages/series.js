// Metrics: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Series() {
  return html`<section><${PageHeader} title="Metrics" /></section>`;
}

export function SeriesDetail() {
  return html`<section><${PageHeader} title="Metrics" /></section>`;
}
