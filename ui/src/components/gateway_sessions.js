// Live proxy usage per access token (one's own; admins: everyone's), refreshing itself every few seconds while the
// tab is visible.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { can } from "../api.js";
import { Empty, ErrorMessage, Loading } from "./feedback.js";
import { TableWrap } from "./list.js";
import { useLive, useNames } from "./resource.js";
import { Ago } from "./time.js";
import { UserName, shortId } from "./gateway_common.js";
import { html } from "../html.js";

const kEvery = 3000;
const limits = [50, 200, 500];
const size = new Intl.NumberFormat(undefined, { style: "unit", unit: "kilobyte", maximumFractionDigits: 1 });
const kb = (n) => size.format(n / 1000);

export function SessionsView() {
  const [limit, setLimit] = useState(50);
  // Kept while another limit is asked for, so the select stays in place (and focused).
  const live = useLive("/api/v1/gateway/sessions", { limit }, { interval: kEvery, keep: true });
  const { error, at } = live;
  const items = live.data?.items;
  const everyone = can("admin");
  const names = useNames("/api/v1/gateway/routes", "slug");
  const users = useNames("/api/v1/users", "username", everyone);
  if (!items && error) return html`<${ErrorMessage} error=${error} />`;
  if (!items) return html`<${Loading} what="the sessions" />`;
  return html`<div class="gw-live">
      <p class="hint">Refreshes every ${kEvery / 1000} s. Updated <${Ago} value=${at} />.
        ${everyone ? " Every user's tokens." : " Your tokens."}</p>
      <label for="gw-sessions-limit">At most
        <select id="gw-sessions-limit" value=${limit} onChange=${(e) => setLimit(Number(e.currentTarget.value))}>
          ${limits.map((n) => html`<option value=${n}>${n}</option>`)}
        </select> tokens</label>
    </div>
    <${ErrorMessage} error=${error} />
    ${items.length === 0
      ? html`<${Empty}>No token has been used through the gateway yet.<//>`
      : html`<${TableWrap} label="Live proxy sessions"><table class="gw-sessions">
          <caption class="visually-hidden">Live proxy sessions</caption>
          <thead><tr>
            <th scope="col">Route</th><th scope="col">Token</th><th scope="col">User</th><th scope="col">Client</th>
            <th scope="col">Requests</th><th scope="col">In / out</th><th scope="col">WebSockets</th>
            <th scope="col">First seen</th><th scope="col">Last seen</th>
          </tr></thead>
          <tbody>${items.map((s) => html`<tr key=${s.token_id} data-token=${s.token_id}>
            <td><${Link} href=${`/gateway/${s.route_id}`}>${names[s.route_id] || shortId(s.route_id)}<//></td>
            <td class="mono">${shortId(s.token_id)}</td>
            <td><${UserName} id=${s.user_id} names=${users} /></td>
            <td>
              <span class="mono">${s.client_address}</span><br />
              <span class="hint gw-wrap">${s.user_agent || "—"}</span>
            </td>
            <td data-testid="requests">${s.requests}</td>
            <td>${kb(s.bytes_in)} / ${kb(s.bytes_out)}</td>
            <td>${s.open_websockets}</td>
            <td><${Ago} value=${s.first_seen} /></td>
            <td><${Ago} value=${s.last_seen} /></td>
          </tr>`)}</tbody>
        </table><//>`}`;
}
