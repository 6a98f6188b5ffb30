// Users: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Users() {
  return html`<section><${PageHeader} title="Users" /></section>`;
}

export function UsersDetail() {
  return html`<section><${PageHeader} title="Users" /></section>`;
}
