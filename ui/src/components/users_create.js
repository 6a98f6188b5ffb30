// The admin's form for a new user: name, role and a first password, checked here and then by the server (a taken
// name is a 409, shown next to the name).
import { api } from "../api.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "./form.js";
import { html } from "../html.js";
import { about, confirmRules, passwordRules, roleNames, usernamePattern, withFieldErrors } from "./users_errors.js";

const blank = { username: "", role: "viewer", password: "", confirm: "" };

const validate = validateWith({
  username: [
    check.required,
    (v) => (usernamePattern.test(v.trim()) ? null : "1 to 64 letters, digits, '.', '_', '@' or '-'."),
  ],
  password: passwordRules,
  confirm: confirmRules,
});

export function UserCreate({ created, cancel }) {
  const form = useForm(blank, validate);
  const submit = form.submit(
    withFieldErrors(
      async (v) => {
        const body = { username: v.username.trim(), role: v.role, password: v.password };
        const user = await api.post("/api/v1/users", body);
        form.setValues(blank);
        created(user);
      },
      [about.username, about.password, about.role],
    ),
  );
  return html`<form onSubmit=${submit} novalidate class="panel users-form" aria-labelledby="user-new-title">
    <h2 id="user-new-title">Add a user</h2>
    <${Field} form=${form} name="username" label="User name" autocomplete="off" required
      hint="Letters, digits, '.', '_', '@' or '-'; not case-sensitive" />
    <${Field} form=${form} name="role" label="Role" type="select" options=${roleNames}
      hint="Viewers read; operators also change servers and run commands; admins also manage users" />
    <${Field} form=${form} name="password" label="Password" type="password" autocomplete="new-password" required
      hint="At least 8 characters; tell it to the user, who can change it" />
    <${Field} form=${form} name="confirm" label="Password again" type="password" autocomplete="new-password" required />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>Add user<//>
      <button type="button" onClick=${cancel}>Cancel</button>
    </div>
  </form>`;
}
