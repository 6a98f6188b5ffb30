// Audit: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Audit() {
  return html`<section><${PageHeader} title="Audit" /></section>`;
}

export function AuditDetail() {
  return html`<section><${PageHeader} title="Audit" /></section>`;
}
