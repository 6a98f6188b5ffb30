// Access tokens (one's own; admins may list everyone's) with revoke: the refund of the unused whole hours is
// estimated before and shown after.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, can } from "../api.js";
import { ActionButton } from "./actions.js";
import { Notice } from "./feedback.js";
import { Filters, PagedTable, usePaged, useQueryState } from "./list.js";
import { useNames } from "./resource.js";
import { Ago, Time } from "./time.js";
import { TokenState, UserName, credits, durationText, refundIfRevoked, shortId } from "./gateway_common.js";
import { html } from "../html.js";

function Refund({ token, estimate }) {
  if (token.revoked_at) return credits(token.refunded);
  if (!token.active) return "—";
  return html`<span class="hint">${credits(estimate)} if revoked now</span>`;
}

/// A table of tokens from `list`; revoking one replaces its row and reports the refund.
export function TokensTable({ list, everyone, onRevoked, empty = "No access token here. Buy one on a route's page." }) {
  const [revoked, setRevoked] = useState(null);
  const users = useNames("/api/v1/users", "username", Boolean(everyone));
  const revoke = async (token) => {
    const result = await api.del(`/api/v1/access-tokens/${token.id}`);
    list.setItems((items) => items.map((t) => (t.id === result.id ? { ...t, ...result } : t)));
    setRevoked(result);
    onRevoked?.(result);
  };
  const columns = ["Route", "Duration", "Price", "Bought", "Expires", "State", "Refund", ""];
  if (everyone) columns.splice(1, 0, "User");
  return html`<div aria-live="polite">
      ${revoked &&
      html`<${Notice} kind="good">Token ${shortId(revoked.id)} to ${revoked.route} revoked:
        <strong data-testid="refund">${credits(revoked.refund)}</strong> refunded for its unused whole hours.<//>`}
    </div>
    <${PagedTable} list=${list} caption="Access tokens" empty=${empty}
      columns=${columns}
      row=${(t) => {
        const estimate = refundIfRevoked(t);
        return html`<tr key=${t.id} data-token=${t.id}>
          <td>
            <${Link} href=${`/gateway/${t.route_id}`}>${t.route}<//> <span class="hint mono">${shortId(t.id)}</span>
          </td>
          ${everyone && html`<td><${UserName} id=${t.user_id} names=${users} /></td>`}
          <td>${durationText(t.duration_hours)}</td>
          <td>${credits(t.price)}</td>
          <td><${Time} value=${t.created_at} /></td>
          <td>${t.active ? html`<${Ago} value=${t.expires_at} />` : html`<${Time} value=${t.expires_at} />`}</td>
          <td><${TokenState} token=${t} /></td>
          <td><${Refund} token=${t} estimate=${estimate} /></td>
          <td>${t.active &&
            html`<${ActionButton} kind="danger" label=${`Revoke the token ${shortId(t.id)} to ${t.route}`}
              confirm=${`Revoke this token to ${t.route}? Its connections end; about ${credits(estimate)} come back.`}
              action=${() => revoke(t)}>Revoke<//>`}</td>
        </tr>`;
      }} />`;
}

export function TokensView() {
  const [query, setQuery] = useQueryState();
  const everyone = can("admin") && query.all === "true";
  const list = usePaged("/api/v1/access-tokens", {
    active_only: query.active_only, route: query.route, all: everyone ? "true" : undefined,
  });
  const fields = [
    { name: "active_only", label: "State", options: [["true", "Active only"]] },
    { name: "route", label: "Route", placeholder: "slug or id" },
  ];
  return html`<div class="gw-filters">
      <${Filters} values=${query} set=${setQuery} fields=${fields} />
      ${can("admin") &&
      html`<label class="gw-whose" for="gw-whose"><span>Whose</span>
        <select id="gw-whose" value=${query.all || ""} onChange=${(e) => setQuery({ all: e.currentTarget.value })}>
          <option value="">Mine</option><option value="true">Everyone's</option>
        </select></label>`}
    </div>
    <${TokensTable} list=${list} everyone=${everyone} />`;
}
