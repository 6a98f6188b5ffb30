// One's own account: password change (API tokens are added by pages/tokens.js).
import { api, session } from "../api.js";
import { Notice } from "../components/feedback.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "../components/form.js";
import { PageHeader } from "../components/layout.js";
import { useState } from "preact/hooks";
import { html } from "../html.js";

export function Account() {
  const user = session().user;
  const [saved, setSaved] = useState(false);
  const form = useForm(
    { current_password: "", password: "", confirm: "" },
    validateWith({
      current_password: [check.required],
      password: [check.required, (v) => (v.length < 8 ? "At least 8 characters." : null)],
      confirm: [(v, all) => (v !== all.password ? "The passwords differ." : null)],
    }),
  );
  const submit = form.submit(async (v) => {
    setSaved(false);
    await api.patch("/api/v1/users/me", { current_password: v.current_password, password: v.password });
    form.setValues({ current_password: "", password: "", confirm: "" });
    setSaved(true);
  });
  return html`<section>
    <${PageHeader} title="My account" />
    <p>Signed in as <strong>${user.username}</strong> (${user.role}).</p>
    <form onSubmit=${submit} novalidate class="panel" aria-labelledby="pw-title">
      <h2 id="pw-title">Change password</h2>
      <${Field} form=${form} name="current_password" label="Current password" type="password" autocomplete="current-password" required />
      <${Field} form=${form} name="password" label="New password" type="password" autocomplete="new-password" required />
      <${Field} form=${form} name="confirm" label="New password again" type="password" autocomplete="new-password" required />
      <${FormError} form=${form} />
      ${saved && html`<${Notice} kind="good">Password changed. Your other sessions were signed out.<//>`}
      <${Submit} form=${form}>Change password<//>
    </form>
  </section>`;
}
