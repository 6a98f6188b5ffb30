// The frame around every signed-in page: navigation (from the route table, filtered by role), the user, logout.
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { can, logout, session } from "../api.js";
import { html } from "../html.js";
import { navigation } from "../routes.js";

export function Layout({ children }) {
  const [location] = useLocation();
  const [open, setOpen] = useState(false);
  const user = session().user;
  const items = navigation().filter((r) => can(r.role));
  const active = (path) => (path === "/" ? location === "/" : location === path || location.startsWith(`${path}/`));
  return html`<div class="shell">
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <button type="button" class="menu" aria-expanded=${open} aria-controls="nav" onClick=${() => setOpen(!open)}>
        Menu
      </button>
      <${Link} href="/" class="brand">gatehouse<//>
      <span class="who">
        <${Link} href="/account">${user?.username}<//> <span class="role">${user?.role}</span>
        <button type="button" onClick=${() => logout()}>Log out</button>
      </span>
    </header>
    <nav id="nav" class=${open ? "open" : ""} aria-label="Main">
      <ul>
        ${items.map(
          (r) => html`<li>
            <${Link} href=${r.path} aria-current=${active(r.path) ? "page" : undefined} onClick=${() => setOpen(false)}
              >${r.title}<//
            >
          </li>`,
        )}
      </ul>
    </nav>
    <main id="main" tabindex="-1">${children}</main>
  </div>`;
}

/// A page's heading and the controls beside it.
export function PageHeader({ title, children }) {
  return html`<div class="page-header">
    <h1>${title}</h1>
    <div class="page-actions">${children}</div>
  </div>`;
}
