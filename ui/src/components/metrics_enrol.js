// A one-time enrolment token for a new collector (shown once, with the command that uses it), and a
// certificate's expiry that says so when it is near.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { html } from "../html.js";
import { ShownOnce } from "./actions.js";
import { Field, FormError, Submit, check, renameFields, useForm, validateWith } from "./form.js";
import { Ago, Time, toDate } from "./time.js";

const kSoonDays = 7;

// HOST: the collectors' mTLS listener is configured apart (collectors.listen); the API is this origin.
const command = (token) =>
  `gatehouse agent --server https://HOST:8443 --api-url ${location.origin} \\\n` +
  `  --enrol-token ${token} --state-dir /var/lib/gatehouse-agent`;

/// The expiry time, with "in 3 days" beside it; a warning within a week, "expired" after.
export function Expiry({ value }) {
  const date = toDate(value);
  if (!date) return html`<span>—</span>`;
  const days = (date.getTime() - Date.now()) / 86400_000;
  return html`<span><${Time} value=${value} />
    <span class=${days < kSoonDays ? "m-soon" : "hint"}> (${days < 0 ? "expired " : ""}<${Ago} value=${value} />)</span
  ></span>`;
}

const validate = validateWith({
  ttl_h: [(v) => (v !== "" && Number(v) * 3600 >= 60 && Number(v) <= 720 ? null : "From 0.02 to 720 hours.")],
  note: [check.maxLength(256)],
});

export function EnrolmentToken({ close }) {
  const [token, setToken] = useState(null);
  const form = useForm({ ttl_h: "1", note: "" }, validate);
  const submit = form.submit(async (v) => {
    try {
      const body = { ttl_s: Math.round(Number(v.ttl_h) * 3600), note: v.note.trim() || null };
      setToken(await api.post("/api/v1/collectors/enrolment-tokens", body));
    } catch (error) {
      throw renameFields(error, { ttl_s: "ttl_h" });
    }
  });
  if (token)
    return html`<div class="panel" aria-labelledby="enrol-title">
      <h2 id="enrol-title">Enrolment token</h2>
      <${ShownOnce} label="Enrolment token" value=${token.token} />
      <p>One use, valid until <${Time} value=${token.expires_at} />. On the collector's host:</p>
      <pre class="output m-command" tabindex="0" aria-label="Enrolment command">${command(token.token)}</pre>
      <div class="form-actions"><button type="button" onClick=${close}>Done</button></div>
    </div>`;
  return html`<form class="panel m-form" onSubmit=${submit} novalidate aria-labelledby="enrol-title">
    <h2 id="enrol-title">New enrolment token</h2>
    <p class="hint">A collector enrols once with it and gets its own certificate; the token is shown only now.</p>
    <${Field} form=${form} name="ttl_h" label="Valid for (hours)" type="number" min="0.02" max="720" step="any" />
    <${Field} form=${form} name="note" label="Note" hint="What the token is for, e.g. db hosts" maxlength="256" />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>Create token<//>
      <button type="button" onClick=${close}>Cancel</button>
    </div>
  </form>`;
}
