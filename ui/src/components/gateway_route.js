// One gateway route: its settings, buying a token for it, opening it in this browser, one's tokens to it; admins
// edit (?edit=1) and delete it.
import { useEffect, useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, can } from "../api.js";
import { ActionButton } from "./actions.js";
import { ErrorMessage, Loading } from "./feedback.js";
import { PageHeader } from "./layout.js";
import { useResource } from "./resource.js";
import { usePaged, useQueryState } from "./list.js";
import { Time } from "./time.js";
import { BuyPanel, Bought, OpenRoute } from "./gateway_buy.js";
import { useWallet } from "./gateway_common.js";
import { RouteForm } from "./gateway_route_form.js";
import { Prices, RouteState } from "./gateway_routes.js";
import { TokensTable } from "./gateway_tokens.js";
import { html } from "../html.js";

const yes = (v) => (v ? "yes" : "no");

function Settings({ route }) {
  const headers = Object.entries(route.extra_headers);
  return html`<section class="panel" aria-labelledby="gw-settings-title">
    <h2 id="gw-settings-title">Route</h2>
    <dl class="facts">
      <dt>Path</dt><dd class="mono">${route.host ? `https://${route.host}/` : route.path}</dd>
      <dt>Upstream</dt><dd class="mono">${route.upstream_url}</dd>
      <dt>State</dt><dd><${RouteState} route=${route} /></dd>
      <dt>Roles</dt><dd>${route.allowed_roles.join(", ")}</dd>
      <dt>Prices</dt><dd><${Prices} route=${route} /></dd>
      <dt>WebSockets</dt><dd>${yes(route.websocket)}</dd>
      <dt>Rewrite URLs</dt><dd>${yes(route.rewrite)}</dd>
      <dt>Token upstream</dt><dd>${yes(route.pass_access_token_header)}</dd>
      <dt>Identity header</dt><dd class="mono">${route.identity_header || "—"}</dd>
      <dt>WebSocket origins</dt><dd class="mono">${route.allowed_origins.join(" ") || "this gateway's own"}</dd>
      <dt>Extra headers</dt>
      <dd class="mono">${headers.length ? headers.map(([k, v]) => html`<div>${k}: ${v}</div>`) : "—"}</dd>
      <dt>CA file</dt><dd class="mono">${route.ca_file || "the system's"}</dd>
      <dt>Updated</dt><dd><${Time} value=${route.updated_at} /></dd>
    </dl>
  </section>`;
}

function MyTokens({ route, reload }) {
  const list = usePaged("/api/v1/access-tokens", { route: route.id });
  return html`<section aria-labelledby="gw-mine-title">
    <h2 id="gw-mine-title">Your tokens to this route</h2>
    <${TokensTable} list=${list} onRevoked=${reload} empty="None yet." />
  </section>`;
}

export function RouteDetail({ id }) {
  const loaded = useResource(`/api/v1/gateway/routes/${id}`);
  const route = loaded.data;
  const [bought, setBought] = useState(null);
  const [query, setQuery] = useQueryState();
  const [, navigate] = useLocation();
  const wallet = useWallet();
  const [generation, setGeneration] = useState(0);
  useEffect(() => setBought(null), [id]);
  if (loaded.error) return html`<${ErrorMessage} error=${loaded.error} retry=${() => loaded.reload()} />`;
  if (!route) return html`<${Loading} what="the route" />`;
  const editing = can("admin") && query.edit === "1";
  if (editing) {
    return html`<section>
      <${PageHeader} title=${`Edit ${route.name}`} />
      <${RouteForm} route=${route} done=${(saved) => {
        if (saved) loaded.set(saved);
        setQuery({ edit: "" });
      }} />
    </section>`;
  }
  const onBought = (token) => {
    setBought(token);
    setGeneration((g) => g + 1);
  };
  return html`<section>
    <${PageHeader} title=${route.name}>
      <${Link} href="/gateway" class="button">All routes<//>
      ${can("admin") && html`<button type="button" onClick=${() => setQuery({ edit: "1" })}>Edit<//>`}
      ${can("admin") &&
      html`<${ActionButton} kind="danger" confirm=${`Delete the route ${route.slug}? Its access tokens end with it.`}
        action=${() => api.del(`/api/v1/gateway/routes/${route.id}`)} done=${() => navigate("/gateway")}>Delete<//>`}
    <//>
    <div class="grid">
      <div>
        <${BuyPanel} route=${route} wallet=${wallet} onBought=${onBought} />
        ${bought && html`<${Bought} token=${bought} route=${route} />`}
        <${OpenRoute} route=${route} token=${bought?.token || ""} />
      </div>
      <${Settings} route=${route} />
    </div>
    <${MyTokens} key=${generation} route=${route} reload=${wallet.reload} />
  </section>`;
}
