// PostgreSQL: placeholder until its page is written.
import { PageHeader } from "../components/layout.js";
import { html } from "../html.js";

export function Postgres() {
  return html`<section><${PageHeader} title="PostgreSQL" /></section>`;
}

export function PostgresDetail() {
  return html`<section><${PageHeader} title="PostgreSQL" /></section>`;
}
