// One's API tokens on the account page: the list (paged on the server), a new token shown once with a copy button,
// and revoking. Admins can switch to everyone's tokens (?tokens=all, the API's ?all=true), with each owner's name.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { api, can, session } from "../api.js";
import { ActionButton, ShownOnce } from "../components/actions.js";
import { Badge } from "../components/badge.js";
import { PagedTable, usePaged, useQueryState } from "../components/list.js";
import { Ago, Time, toDate } from "../components/time.js";
import { TokenForm } from "../components/users_token_form.js";
import { useNames } from "../components/resource.js";
import { html } from "../html.js";

function Expiry({ value }) {
  const date = toDate(value);
  if (!date) return html`<span>never</span>`;
  if (date.getTime() <= Date.now()) return html`<${Badge} value="expired" /> <${Time} value=${value} />`;
  return html`<${Time} value=${value} />`;
}

function Role({ token }) {
  if (!token.effective_role || token.effective_role === token.role) {
    return html`<${Badge} value=${token.role} tone="info" />`;
  }
  // The owner's role was lowered after the token was made: the token acts with the lower one.
  return html`<${Badge} value=${token.role} tone="muted" /> <span class="hint">acts as ${token.effective_role}</span>`;
}

function Whose({ all, set }) {
  return html`<form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
    <label for="tokens-whose">
      <span>Whose tokens</span>
      <select id="tokens-whose" value=${all ? "all" : ""} onChange=${(e) => set({ tokens: e.currentTarget.value })}>
        <option value="">Mine</option>
        <option value="all">Everyone's</option>
      </select>
    </label>
  </form>`;
}

export function Tokens() {
  const [query, setQuery] = useQueryState();
  const admin = can("admin");
  const all = admin && query.tokens === "all";
  const list = usePaged("/api/v1/api-tokens", { all: all ? "true" : undefined }, { limit: 50 });
  // The token list names owners by id only.
  const names = useNames("/api/v1/users", "username", all);
  const [fresh, setFresh] = useState(null);
  const me = session().user;
  const created = (token) => {
    setFresh(token);
    list.reload();
  };
  const owner = (t) => {
    if (t.user_id === me?.id) return html`${me.username} <span class="hint">(you)</span>`;
    const name = names[t.user_id];
    return html`<${Link} href=${`/users/${t.user_id}`}>${name || t.user_id}<//>`;
  };
  const columns = ["Name", ...(all ? ["Owner"] : []), "Role", "Starts with", "Created", "Expires", "Last used"];
  columns.push("Actions");
  return html`<section aria-labelledby="tokens-title" class="tokens">
    <h2 id="tokens-title">API tokens</h2>
    <p class="hint">A token lets a program use the API as you (Authorization: Bearer …), with at most your role.</p>
    <div aria-live="polite">
      ${fresh &&
      html`<div class="token-fresh">
        <${ShownOnce} label=${`API token “${fresh.name}”`} value=${fresh.token} />
        <button type="button" onClick=${() => setFresh(null)}>I have copied it</button>
      </div>`}
    </div>
    <${TokenForm} created=${created} />
    ${admin && html`<${Whose} all=${all} set=${setQuery} />`}
    <${PagedTable} list=${list} caption=${all ? "Everyone's API tokens" : "My API tokens"}
      empty=${all ? "Nobody has an API token." : "You have no API token yet."} columns=${columns}
      row=${(t) => html`<tr key=${t.id}>
        <td>${t.name}</td>
        ${all && html`<td>${owner(t)}</td>`}
        <td><${Role} token=${t} /></td>
        <td><code>${t.prefix}…</code></td>
        <td><${Time} value=${t.created_at} /></td>
        <td><${Expiry} value=${t.expires_at} /></td>
        <td>${t.last_used_at ? html`<${Ago} value=${t.last_used_at} />` : "never"}</td>
        <td>
          <${ActionButton} kind="danger" label=${`Revoke ${t.name}`}
            confirm=${`Revoke the token “${t.name}”? Programs using it are refused from now on.`}
            action=${() => api.del(`/api/v1/api-tokens/${t.id}`)}
            done=${() => list.setItems((items) => items.filter((x) => x.id !== t.id))}>Revoke<//>
        </td>
      </tr>`} />
  </section>`;
}
