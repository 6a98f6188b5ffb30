// Operators' controls of an app's runs: start (optionally with this run's own limit), stop, and the auto-stop
// limit. Start and stop each create a compose task; the page shows its output.
import { api } from "../api.js";
import { html } from "../html.js";
import { ActionButton } from "./actions.js";
import { Field, FormError, Submit, check, renameFields, useForm, validateWith } from "./form.js";
import { kMaxMinutes, minutesCheck } from "./apps_form.js";
import { limitText } from "./apps_lookup.js";

const kBusy = ["starting", "stopping"];

/// `started({task_id, app})`: a start or stop was accepted.
export function RunControls({ app, started }) {
  const form = useForm({ run_minutes: "" }, validateWith({ run_minutes: [minutesCheck] }));
  const busy = kBusy.includes(app.status);
  const start = form.submit(async (v) => {
    const body = v.run_minutes === "" ? {} : { auto_stop_minutes: Number(v.run_minutes) };
    try {
      started(await api.post(`/api/v1/apps/${app.id}/start`, body));
    } catch (e) {
      throw renameFields(e, { auto_stop_minutes: "run_minutes" });
    }
    form.set("run_minutes", "");
  });
  const own = app.auto_stop_minutes ? limitText(app.auto_stop_minutes) : "none";
  const hint = `Blank: the app's limit (${own}). 0: no automatic stop for this run.`;
  return html`<div class="apps-run">
    <form onSubmit=${start} novalidate class="apps-inline" aria-label="Start the app">
      <${Field} form=${form} name="run_minutes" label="Limit for this run (minutes)" type="number" min="0"
        max=${kMaxMinutes} hint=${hint} />
      <div class="form-actions">
        <${Submit} form=${form} disabled=${busy || form.busy}>${app.status === "running" ? "Start again" : "Start"}<//>
        <${ActionButton} kind="danger" confirm=${`Stop ${app.name} (docker compose down on its server)?`}
          action=${() => api.post(`/api/v1/apps/${app.id}/stop`, {})} done=${started}>Stop<//>
      </div>
      <${FormError} form=${form} />
    </form>
    ${busy && html`<p class="hint">A compose task is running; start and stop wait for it to end.</p>`}
  </div>`;
}

/// The app's auto-stop limit; `saved(app)` after the change. A running app's deadline moves with it.
export function LimitForm({ app, saved }) {
  const form = useForm(
    { auto_stop_minutes: String(app.auto_stop_minutes) },
    validateWith({ auto_stop_minutes: [check.required, minutesCheck] }),
  );
  const submit = form.submit(async (v) => {
    saved(await api.patch(`/api/v1/apps/${app.id}`, { auto_stop_minutes: Number(v.auto_stop_minutes) }));
  });
  return html`<form onSubmit=${submit} novalidate class="apps-inline" aria-label="Auto-stop limit">
    <${Field} form=${form} name="auto_stop_minutes" label="Auto-stop after (minutes)" type="number" min="0"
      max=${kMaxMinutes} required
      hint="0 means never: the app runs until someone stops it. While it runs, a new limit counts from its start." />
    <div class="form-actions"><${Submit} form=${form}>Save limit<//></div>
    <${FormError} form=${form} />
  </form>`;
}
