// Gateway: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Gateway() {
  return html`<section><${PageHeader} title="Gateway" /></section>`;
}

export function GatewayDetail() {
  return html`<section><${PageHeader} title="Gateway" /></section>`;
}
