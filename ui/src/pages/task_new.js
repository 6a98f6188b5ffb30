// Run a command on chosen servers or on every server with some tags.
import { useState } from "preact/hooks";
import { useLocation, useSearch } from "wouter-preact";
import { api } from "../api.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "../components/form.js";
import { PageHeader } from "../components/layout.js";
import { ServerPicker } from "../components/server_picker.js";
import { html } from "../html.js";

function tagsOf(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

export function TaskNew() {
  const params = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const [chosen, setChosen] = useState(params.get("targets") ? params.get("targets").split(",") : []);
  const form = useForm(
    { mode: "servers", tags: "", command: "", timeout_s: "", concurrency: "" },
    validateWith({
      command: [check.required],
      tags: [(v, all) => (all.mode === "tags" && tagsOf(v).length === 0 ? "Name at least one tag." : null)],
      timeout_s: [check.positive],
      concurrency: [check.positive],
    }),
  );
  const submit = form.submit(async (v) => {
    if (v.mode === "servers" && chosen.length === 0) throw Object.assign(new Error("Choose at least one server."), { fields: {} });
    const body = { command: v.command };
    if (v.mode === "servers") body.targets = chosen;
    else body.selector = { tags: tagsOf(v.tags) };
    if (v.timeout_s) body.timeout_s = Number(v.timeout_s);
    if (v.concurrency) body.concurrency = Number(v.concurrency);
    const task = await api.post("/api/v1/tasks", body);
    navigate(`/tasks/${task.id}`);
  });
  return html`<section>
    <${PageHeader} title="Run a command" />
    <form onSubmit=${submit} novalidate class="panel">
      <${Field} form=${form} name="mode" label="Run on" type="select"
        options=${[["servers", "Chosen servers"], ["tags", "Every server with these tags"]]} />
      ${form.values.mode === "servers"
        ? html`<${ServerPicker} chosen=${chosen} setChosen=${setChosen} />`
        : html`<${Field} form=${form} name="tags" label="Tags" hint="Servers carrying all of them, e.g. web eu" />`}
      <${Field} form=${form} name="command" label="Command" type="textarea" required hint="Run by the login shell on every server" />
      <${Field} form=${form} name="timeout_s" label="Timeout (seconds)" type="number" min="1" />
      <${Field} form=${form} name="concurrency" label="Servers at once" type="number" min="1" />
      <${FormError} form=${form} />
      <div class="form-actions"><${Submit} form=${form}>Run<//></div>
    </form>
  </section>`;
}
