// The app: restores the session from the refresh cookie, then routes. Signed out, every path shows the login
// page, which brings the user back to where they were.
import { useEffect, useState } from "preact/hooks";
import { Route, Switch, matchRoute, useLocation, useRouter } from "wouter-preact";
import { can, listen, restore, session } from "./api.js";
import { Layout } from "./components/layout.js";
import { html } from "./html.js";
import { Login } from "./pages/login.js";
import { NotFound } from "./pages/not_found.js";
import { pages } from "./routes.js";

function useSession() {
  const [state, setState] = useState(session());
  useEffect(() => listen(setState), []);
  return state;
}

function Forbidden({ why }) {
  return html`<section><h1>Not for your role</h1><p>${why || "Your role cannot use this page."}</p></section>`;
}

export function App() {
  const state = useSession();
  const [location, navigate] = useLocation();
  const { parser } = useRouter();
  useEffect(() => {
    restore();
  }, []);
  useEffect(() => {
    // A session the server ended (refresh refused): to the login page, remembering where the user was.
    if (state.state === "signed-out" && location !== "/login") {
      const next = location + window.location.search;
      navigate(`/login?next=${encodeURIComponent(next)}${state.expired ? "&expired=1" : ""}`, { replace: true });
    }
  }, [state, location]);
  useEffect(() => {
    // Matched as the Switch below matches, so /servers/:id is titled too (routes.js puts /servers/new first).
    const entry = pages().find((r) => matchRoute(parser, r.path, location)[0]);
    document.title = entry ? `${entry.title} · gatehouse` : "gatehouse";
  }, [location]);
  if (state.state === "unknown") return html`<p class="loading" role="status">Loading…</p>`;
  if (state.state === "signed-out" || location === "/login") return html`<${Login} />`;
  return html`<${Layout}>
    <${Switch}>
      ${pages().map(
        (r) => html`<${Route} path=${r.path}>${(params) =>
          can(r.role) ? html`<${r.page} params=${params} />` : html`<${Forbidden} why=${r.denied} />`}<//>`,
      )}
      <${Route}><${NotFound} /><//>
    <//>
  <//>`;
}
