// SSH keys: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Keys() {
  return html`<section><${PageHeader} title="SSH keys" /></section>`;
}

export function KeysDetail() {
  return html`<section><${PageHeader} title="SSH keys" /></section>`;
}
