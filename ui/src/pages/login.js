// Sign-in. After it the user goes back to the page they were on (?next=), never to another origin.
import { useLocation, useSearch } from "wouter-preact";
import { login, session } from "../api.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "../components/form.js";
import { Notice } from "../components/feedback.js";
import { html } from "../html.js";

function safeNext(next) {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/";
}

export function Login() {
  const params = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const form = useForm({ username: "", password: "" }, validateWith({ username: [check.required], password: [check.required] }));
  const expired = params.get("expired") || session().expired;
  const onSubmit = form.submit(async ({ username, password }) => {
    await login(username.trim(), password);
    navigate(safeNext(params.get("next")), { replace: true });
  });
  return html`<main class="login" id="main">
    <form onSubmit=${onSubmit} novalidate aria-labelledby="login-title">
      <h1 id="login-title">Sign in to gatehouse</h1>
      ${expired && html`<${Notice} kind="warn">Your session has ended. Sign in again to continue.<//>`}
      <${Field} form=${form} name="username" label="User name" autocomplete="username" required autofocus />
      <${Field} form=${form} name="password" label="Password" type="password" autocomplete="current-password" required />
      <${FormError} form=${form} />
      <${Submit} form=${form}>Sign in<//>
    </form>
  </main>`;
}
