// Alerts: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Alerts() {
  return html`<section><${PageHeader} title="Alerts" /></section>`;
}

export function AlertsDetail() {
  return html`<section><${PageHeader} title="Alerts" /></section>`;
}
