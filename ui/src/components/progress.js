import { html } from "../html.js";

export function Progress({ done, total }) {
  const label = `${done} of ${total} done`;
  return html`<span class="action"
    ><progress class="progress" max=${Math.max(total, 1)} value=${done} aria-label=${label}></progress>
    <span>${label}</span></span
  >`;
}
