import { Link } from "wouter-preact";
import { html } from "../html.js";

export function NotFound() {
  return html`<section>
    <h1>Page not found</h1>
    <p>There is no page at this address. <${Link} href="/">Back to the dashboard<//></p>
  </section>`;
}
