// One's own account: password change, and one's API tokens (pages/tokens.js).
import { api, session } from "../api.js";
import { Notice } from "../components/feedback.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "../components/form.js";
import { PageHeader } from "../components/layout.js";
import { about, confirmRules, passwordRules, withFieldErrors } from "../components/users_errors.js";
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { Tokens } from "./tokens.js";
import "./users.css";

const blank = { current_password: "", password: "", confirm: "", revoke_api_tokens: false };

export function Account() {
  const user = session().user;
  const [saved, setSaved] = useState(null);
  // Counts the password changes that revoked the API tokens: each shows the token list anew (a token created
  // before and still shown once is gone with the rest); any other change leaves the list as it is.
  const [revocations, setRevocations] = useState(0);
  const form = useForm(
    blank,
    validateWith({
      current_password: [check.required],
      password: passwordRules,
      confirm: confirmRules,
    }),
  );
  const submit = form.submit(
    withFieldErrors(
      async (v) => {
        setSaved(null);
        const body = { current_password: v.current_password, password: v.password };
        if (v.revoke_api_tokens) body.revoke_api_tokens = true;
        await api.patch("/api/v1/users/me", body);
        form.setValues(blank);
        setSaved({ revoked: v.revoke_api_tokens });
        if (v.revoke_api_tokens) setRevocations((n) => n + 1);
      },
      // "the current password is wrong" (403) belongs by the current password, the length rule by the new one.
      [about.currentPassword, about.password],
    ),
  );
  return html`<section>
    <${PageHeader} title="My account" />
    <p>Signed in as <strong>${user.username}</strong> (${user.role}).</p>
    <form onSubmit=${submit} novalidate class="panel users-form" aria-labelledby="pw-title">
      <h2 id="pw-title">Change password</h2>
      <${Field} form=${form} name="current_password" label="Current password" type="password"
        autocomplete="current-password" required />
      <${Field} form=${form} name="password" label="New password" type="password" autocomplete="new-password" required
        hint="At least 8 characters" />
      <${Field} form=${form} name="confirm" label="New password again" type="password" autocomplete="new-password"
        required />
      <${Field} form=${form} name="revoke_api_tokens" label="Also revoke all my API tokens" type="checkbox" />
      <${FormError} form=${form} />
      ${saved &&
      html`<${Notice} kind="good"
        >Password changed. Your other sessions were signed out${saved.revoked ? " and your API tokens revoked" : ""}.<//
      >`}
      <${Submit} form=${form}>Change password<//>
    </form>
    <${Tokens} key=${revocations} />
  </section>`;
}
