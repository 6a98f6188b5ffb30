// One user, for an admin: the facts, and a panel each to change the role, disable or enable, set a new password,
// and delete. The server guards the last active admin (409); its reason shows next to the control that asked.
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, session } from "../api.js";
import { ActionButton } from "./actions.js";
import { Badge } from "./badge.js";
import { ErrorMessage, Loading, Notice } from "./feedback.js";
import { Field, FormError, Submit, useForm, validateWith } from "./form.js";
import { PageHeader } from "./layout.js";
import { useResource } from "./resource.js";
import { Time } from "./time.js";
import { html } from "../html.js";
import { about, confirmRules, passwordRules, roleNames, withFieldErrors } from "./users_errors.js";

export function UserState({ user }) {
  return html`<${Badge} value=${user.disabled ? "disabled" : "active"} tone=${user.disabled ? "bad" : "good"} />`;
}

const patch = (user, body) => api.patch(`/api/v1/users/${user.id}`, body);

function RoleForm({ user, changed }) {
  const [saved, setSaved] = useState(null);
  const form = useForm({ role: user.role });
  const submit = form.submit(
    withFieldErrors(async (v) => {
      setSaved(null);
      const updated = await patch(user, { role: v.role });
      setSaved(updated.role);
      changed(updated);
    }, [about.role]),
  );
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="role-title">
    <h2 id="role-title">Role</h2>
    <${Field} form=${form} name="role" label="New role" type="select" options=${roleNames} />
    <${FormError} form=${form} />
    ${saved && html`<${Notice} kind="good">Role changed to ${saved}.<//>`}
    <${Submit} form=${form} disabled=${form.busy || form.values.role === user.role}>Change role<//>
  </form>`;
}

function AccessPanel({ user, changed }) {
  const self = user.id === session().user?.id;
  return html`<div class="panel" role="region" aria-labelledby="access-title">
    <h2 id="access-title">Access</h2>
    <p>
      <${UserState} user=${user} />
      ${user.disabled ? " Cannot sign in or use API tokens." : " Can sign in."}
    </p>
    ${user.disabled
      ? html`<${ActionButton} kind="primary" action=${() => patch(user, { disabled: false })} done=${changed}
          >Enable<//>`
      : html`<${ActionButton} kind="danger" action=${() => patch(user, { disabled: true })} done=${changed}
          confirm=${`Disable ${user.username}${self ? " (your own account)" : ""}? They can no longer sign in.`}
          >Disable<//>`}
  </div>`;
}

function PasswordForm({ user }) {
  const [saved, setSaved] = useState(false);
  const form = useForm(
    { password: "", confirm: "" },
    validateWith({
      password: passwordRules,
      confirm: confirmRules,
    }),
  );
  const submit = form.submit(
    withFieldErrors(async (v) => {
      setSaved(false);
      await patch(user, { password: v.password });
      form.setValues({ password: "", confirm: "" });
      setSaved(true);
    }, [about.password]),
  );
  return html`<form onSubmit=${submit} novalidate class="panel" aria-labelledby="setpw-title">
    <h2 id="setpw-title">Set a new password</h2>
    <${Field} form=${form} name="password" label="New password" type="password" autocomplete="new-password" required
      hint="At least 8 characters" />
    <${Field} form=${form} name="confirm" label="New password again" type="password" autocomplete="new-password"
      required />
    <${FormError} form=${form} />
    ${saved && html`<${Notice} kind="good">Password set. Tell it to ${user.username}.<//>`}
    <${Submit} form=${form}>Set password<//>
  </form>`;
}

export function UserDetail({ id }) {
  const loaded = useResource(`/api/v1/users/${id}`);
  const [, navigate] = useLocation();
  const user = loaded.data;
  if (!user && loaded.error) {
    return html`<section><${PageHeader} title="User" />
      <${ErrorMessage} error=${loaded.error} retry=${() => loaded.reload()} /></section>`;
  }
  if (!user) return html`<${Loading} what="the user" />`;
  const self = user.id === session().user?.id;
  return html`<section>
    <p class="users-back"><${Link} href="/users">← All users<//></p>
    <${PageHeader} title=${user.username}>
      <${ActionButton} kind="danger" action=${() => api.del(`/api/v1/users/${user.id}`)}
        confirm=${`Delete ${user.username}? Their sessions and API tokens stop working. This cannot be undone.`}
        done=${() => navigate("/users")}>Delete user<//>
    <//>
    ${self &&
    html`<${Notice}>This is your own account. <${Link} href="/account">My account<//> has your API tokens.<//>`}
    <div class="panel">
      <dl class="facts">
        <dt>User name</dt><dd>${user.username}</dd>
        <dt>Role</dt><dd><${Badge} value=${user.role} tone="info" /></dd>
        <dt>State</dt><dd><${UserState} user=${user} /></dd>
        <dt>Created</dt><dd><${Time} value=${user.created_at} /></dd>
      </dl>
    </div>
    <div class="grid users-panels">
      <${RoleForm} key=${user.id} user=${user} changed=${loaded.set} />
      <${AccessPanel} user=${user} changed=${loaded.set} />
      <${PasswordForm} user=${user} />
    </div>
  </section>`;
}
