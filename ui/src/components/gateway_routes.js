// The gateway's routes: everyone lists them (to buy a token); admins add one from here.
import { Link } from "wouter-preact";
import { Badge } from "./badge.js";
import { PagedTable, usePaged } from "./list.js";
import { credits, durationText, pricesOf } from "./gateway_common.js";
import { html } from "../html.js";

function Prices({ route }) {
  const prices = pricesOf(route);
  if (prices.length === 0) return html`<span class="hint">not on sale</span>`;
  return html`<ul class="gw-prices">
    ${prices.map(([h, p]) => html`<li key=${h}>${durationText(h)}: ${p ? credits(p) : "free"}</li>`)}
  </ul>`;
}

export function RouteState({ route }) {
  return html`<${Badge} value=${route.enabled ? "enabled" : "disabled"} tone=${route.enabled ? "good" : "muted"} />`;
}

export function RoutesView() {
  const list = usePaged("/api/v1/gateway/routes");
  return html`<${PagedTable} list=${list} caption="Gateway routes"
    empty="No route yet. An admin adds the internal web apps the gateway serves."
    columns=${["Route", "Prices", "For"]}
    row=${(r) => html`<tr key=${r.id}>
      <td>
        <${Link} href=${`/gateway/${r.id}`}>${r.name}<//><br />
        <span class="hint mono gw-wrap">${r.host || r.path}</span>
      </td>
      <td><${Prices} route=${r} /></td>
      <td>${r.allowed_roles.join(", ")}<br /><${RouteState} route=${r} /></td>
    </tr>`} />`;
}

export { Prices };
