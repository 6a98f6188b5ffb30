// The gateway: routes to internal web apps (everyone lists them; admins write them), access tokens bought with
// wallet credits, the wallet and its ledger, and live proxy sessions. /gateway?view=... picks the view;
// /gateway/new adds a route, /gateway/:id shows one (buy a token, open it).
import { Link, useSearch } from "wouter-preact";
import { can } from "../api.js";
import { PageHeader } from "../components/layout.js";
import { RouteDetail } from "../components/gateway_route.js";
import { RouteForm } from "../components/gateway_route_form.js";
import { RoutesView } from "../components/gateway_routes.js";
import { SessionsView } from "../components/gateway_sessions.js";
import { TokensView } from "../components/gateway_tokens.js";
import { WalletView } from "../components/gateway_wallet.js";
import { html } from "../html.js";
import "./gateway.css";

const views = [
  { name: "routes", title: "Routes", page: RoutesView },
  { name: "tokens", title: "Access tokens", page: TokensView },
  { name: "wallet", title: "Wallet", page: WalletView },
  { name: "sessions", title: "Live sessions", page: SessionsView },
];

export function Gateway() {
  const current = new URLSearchParams(useSearch()).get("view") || "routes";
  const view = views.find((v) => v.name === current) || views[0];
  return html`<section>
    <${PageHeader} title="Gateway">
      ${can("admin") && view.name === "routes" &&
      html`<${Link} href="/gateway/new" class="button primary">New route<//>`}
    <//>
    <nav class="gw-views" aria-label="Gateway views">
      <ul>
        ${views.map((v) => html`<li key=${v.name}>
          <${Link} href=${v.name === "routes" ? "/gateway" : `/gateway?view=${v.name}`}
            aria-current=${v === view ? "page" : undefined}>${v.title}<//>
        </li>`)}
      </ul>
    </nav>
    <h2 class="visually-hidden">${view.title}</h2>
    <${view.page} key=${view.name} />
  </section>`;
}

export function GatewayNew() {
  return html`<section>
    <${PageHeader} title="New gateway route" />
    <${RouteForm} />
  </section>`;
}

export function GatewayDetail({ params }) {
  return html`<${RouteDetail} id=${params.id} />`;
}
