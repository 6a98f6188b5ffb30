// Collectors: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Collectors() {
  return html`<section><${PageHeader} title="Collectors" /></section>`;
}

export function CollectorsDetail() {
  return html`<section><${PageHeader} title="Collectors" /></section>`;
}
