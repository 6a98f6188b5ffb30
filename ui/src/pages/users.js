// Users (admins only): the list filtered by role and state on the server, a form to add one, and each user's page
// (components/users_detail.js) to change the role, disable, set a password or delete.
import { useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { session } from "../api.js";
import { Badge } from "../components/badge.js";
import { Notice } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { Filters, PagedTable, usePaged, useQueryState } from "../components/list.js";
import { Time } from "../components/time.js";
import { UserCreate } from "../components/users_create.js";
import { UserDetail, UserState } from "../components/users_detail.js";
import { roleNames } from "../components/users_errors.js";
import { html } from "../html.js";
import "./users.css";

export function Users() {
  const [query, setQuery] = useQueryState();
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState(null);
  const list = usePaged("/api/v1/users", { role: query.role, disabled: query.disabled }, { limit: 50 });
  const me = session().user;
  const done = (user) => {
    setAdding(false);
    setCreated(user);
    list.reload();
  };
  return html`<section>
    <${PageHeader} title="Users">
      <button type="button" class="primary" aria-expanded=${adding} aria-controls="user-new" onClick=${() => {
        setCreated(null);
        setAdding(!adding);
      }}>Add a user</button>
    <//>
    <div id="user-new">${adding && html`<${UserCreate} created=${done} cancel=${() => setAdding(false)} />`}</div>
    ${created &&
    html`<${Notice} kind="good"
      >Added <${Link} href=${`/users/${created.id}`}>${created.username}<//> as ${created.role}.<//
    >`}
    <${Filters} values=${query} set=${setQuery} fields=${[
      { name: "role", label: "Role", options: roleNames },
      { name: "disabled", label: "State", options: [["false", "Active"], ["true", "Disabled"]] },
    ]} />
    <${PagedTable} list=${list} caption="Users" empty="No user matches these filters."
      columns=${["User name", "Role", "State", "Created"]}
      row=${(u) => html`<tr key=${u.id}>
        <td>
          <${Link} href=${`/users/${u.id}`}>${u.username}<//>
          ${u.id === me?.id && html` <span class="hint">(you)</span>`}
        </td>
        <td><${Badge} value=${u.role} tone="info" /></td>
        <td><${UserState} user=${u} /></td>
        <td><${Time} value=${u.created_at} /></td>
      </tr>`} />
  </section>`;
}

export function UsersDetail({ params }) {
  return html`<${UserDetail} id=${params.id} />`;
}
