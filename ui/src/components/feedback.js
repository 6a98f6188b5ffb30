// Loading, error and empty states every view shows while it waits or after it failed.
import { html } from "../html.js";

export function Loading({ what }) {
  return html`<p class="loading" role="status" aria-live="polite">Loading${what ? ` ${what}` : ""}…</p>`;
}

/// An error as a user can read it: the problem's detail, never "[object Object]".
export function errorText(error) {
  if (!error) return "";
  if (typeof error === "string") return error;
  if (error.message) return error.message;
  return String(error);
}

export function ErrorMessage({ error, retry }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <span>${errorText(error)}</span>
    ${retry && html` <button type="button" class="link" onClick=${retry}>Try again</button>`}
  </div>`;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}

export function Notice({ kind = "info", children }) {
  return html`<div class=${`notice ${kind}`} role="status">${children}</div>`;
}
