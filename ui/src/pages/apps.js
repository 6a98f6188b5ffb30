// Projects and apps: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Apps() {
  return html`<section><${PageHeader} title="Projects and apps" /></section>`;
}

export function AppsDetail() {
  return html`<section><${PageHeader} title="Projects and apps" /></section>`;
}
