// A new API token: a name, a role at most one's own, and when it stops working. The secret comes back once, in
// the answer to this request; `created` receives it.
import { api, session } from "../api.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "./form.js";
import { html } from "../html.js";
import { about, rolesUpTo, withFieldErrors } from "./users_errors.js";

const expiries = [
  ["7", "In 7 days"],
  ["30", "In 30 days"],
  ["90", "In 90 days"],
  ["365", "In a year"],
  ["never", "Never"],
  ["date", "On a date…"],
];

/// The chosen expiry as RFC 3339 (null: never); a date means the end of that day in the browser's time zone.
function expiresAt(v, now = Date.now()) {
  if (v.expiry === "never") return null;
  if (v.expiry === "date") return v.expires_on ? new Date(`${v.expires_on}T23:59:59`).toISOString() : null;
  return new Date(now + Number(v.expiry) * 86400 * 1000).toISOString();
}

const validate = validateWith({
  name: [check.required, check.maxLength(100, { trimmed: true })],
  expires_on: [
    (v, all) => (all.expiry === "date" && !v ? "Choose a date." : null),
    (v, all) => (all.expiry === "date" && new Date(`${v}T23:59:59`) <= Date.now() ? "A date in the future." : null),
  ],
});

export function TokenForm({ created }) {
  const role = session().user?.role || "viewer";
  const blank = { name: "", role, expiry: "90", expires_on: "" };
  const form = useForm(blank, validate);
  const submit = form.submit(
    withFieldErrors(
      async (v) => {
        const body = { name: v.name.trim(), role: v.role };
        const expires = expiresAt(v);
        if (expires) body.expires_at = expires;
        const token = await api.post("/api/v1/api-tokens", body);
        form.setValues(blank);
        created(token);
      },
      [["expires_on", (e, d) => /expires/i.test(d)], about.role],
    ),
  );
  // The expiry date's error shows by the select when no date field is there to hold it.
  const shown =
    form.values.expiry === "date" ? form : { ...form, errors: { ...form.errors, expiry: form.errors.expires_on } };
  return html`<form onSubmit=${submit} novalidate class="panel users-form" aria-labelledby="token-new-title">
    <h3 id="token-new-title">New API token</h3>
    <${Field} form=${form} name="name" label="Token name" required hint="What uses it, e.g. ci deploy" />
    <${Field} form=${form} name="role" label="Token role" type="select" options=${rolesUpTo(role)}
      hint="At most your own role" />
    <${Field} form=${shown} name="expiry" label="Expires" type="select" options=${expiries} />
    ${form.values.expiry === "date" &&
    html`<${Field} form=${form} name="expires_on" label="Expires on" type="date" required
      hint="At the end of that day, your time zone" />`}
    <${FormError} form=${form} />
    <${Submit} form=${form}>Create token<//>
  </form>`;
}
