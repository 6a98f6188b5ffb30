// Create or edit a server: SSH login by password or stored key, tags, and an optional PostgreSQL endpoint.
// Editing sends only what changed; a blank password keeps the stored one.
import { useLocation } from "wouter-preact";
import { api } from "../api.js";
import { ErrorMessage, Loading } from "../components/feedback.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "../components/form.js";
import { PageHeader } from "../components/layout.js";
import { useResource } from "../components/resource.js";
import { html } from "../html.js";

const blank = {
  name: "", address: "", ssh_port: "22", ssh_user: "", auth_method: "password", password: "", ssh_key_id: "",
  tags: "", description: "", pg_enabled: false, pg_host: "", pg_port: "5432", pg_user: "postgres", pg_password: "",
  pg_database: "postgres", pg_sslmode: "prefer", pg_via_ssh: false,
};

function valuesOf(server) {
  const pg = server.postgres;
  return {
    ...blank, name: server.name, address: server.address, ssh_port: String(server.ssh_port), ssh_user: server.ssh_user,
    auth_method: server.auth_method, ssh_key_id: server.ssh_key_id || "", tags: server.tags.join(" "),
    description: server.description || "", pg_enabled: Boolean(pg), pg_host: pg?.host || "", pg_port: String(pg?.port || 5432),
    pg_user: pg?.user || "postgres", pg_database: pg?.database || "postgres", pg_sslmode: pg?.sslmode || "prefer",
    pg_via_ssh: Boolean(pg?.via_ssh),
  };
}

const tagPattern = /^[A-Za-z0-9._:-]{1,64}$/;
// A blank password keeps the stored one: it is required where none is stored (a new server, or one that logged in
// with a key until now).
const needsPassword = (original) => !original?.has_password;
const validate = (original) =>
  validateWith({
    name: [check.required],
    address: [check.required],
    ssh_port: [check.required, check.port],
    ssh_user: [check.required],
    password: [(v, all) => (all.auth_method === "password" && needsPassword(original) && !v ? "Required." : null)],
    ssh_key_id: [(v, all) => (all.auth_method === "key" && !v ? "Choose a key." : null)],
    tags: [(v) => (v.split(/[\s,]+/).filter(Boolean).every((t) => tagPattern.test(t)) ? null : "Letters, digits, '.', '_', ':' or '-' only.")],
    pg_port: [(v, all) => (all.pg_enabled ? check.required(v) || check.port(v) : null)],
  });

function bodyOf(v, editing, original) {
  const body = {
    name: v.name.trim(), address: v.address.trim(), ssh_port: Number(v.ssh_port), ssh_user: v.ssh_user.trim(),
    auth_method: v.auth_method, tags: v.tags.split(/[\s,]+/).filter(Boolean), description: v.description,
  };
  if (v.auth_method === "password" && v.password) body.password = v.password;
  if (v.auth_method === "key") body.ssh_key_id = v.ssh_key_id;
  if (v.pg_enabled) {
    body.postgres = {
      host: v.pg_host.trim() || null, port: Number(v.pg_port), user: v.pg_user.trim() || null,
      database: v.pg_database.trim() || null, sslmode: v.pg_sslmode, via_ssh: v.pg_via_ssh,
    };
    if (v.pg_password) body.postgres.password = v.pg_password;
  } else if (!editing || original?.postgres) {
    body.postgres = null;
  }
  if (!editing) return body;
  // Only what changed, so a PATCH never re-sends fields another user edited meanwhile.
  const before = bodyOf(valuesOf(original), false);
  const changed = {};
  for (const [key, value] of Object.entries(body)) {
    if (JSON.stringify(value) !== JSON.stringify(before[key])) changed[key] = value;
  }
  return changed;
}

export function ServerForm({ params }) {
  const editing = Boolean(params.id);
  const loaded = useResource(`/api/v1/servers/${params.id}`, {}, { enabled: editing });
  if (!editing) return html`<${ServerEditor} />`;
  if (loaded.error) return html`<${ErrorMessage} error=${loaded.error} retry=${() => loaded.reload()} />`;
  if (!loaded.data) return html`<${Loading} what="the server" />`;
  return html`<${ServerEditor} key=${params.id} original=${loaded.data} />`;
}

/// The form itself, filled with `original` (the server as loaded) when editing.
function ServerEditor({ original }) {
  const editing = Boolean(original);
  const keys = useResource("/api/v1/ssh-keys", { limit: 200 }).data?.items || [];
  const [, navigate] = useLocation();
  const form = useForm(editing ? valuesOf(original) : blank, validate(original));
  const v = form.values;
  const submit = form.submit(async (values) => {
    const body = bodyOf(values, editing, original);
    const server = editing
      ? await api.patch(`/api/v1/servers/${original.id}`, body)
      : await api.post("/api/v1/servers", body);
    navigate(`/servers/${server.id}`);
  });
  // The server names its fields like the API; the form's own names map back for the PostgreSQL part.
  const errors = { ...form.errors };
  for (const [key, message] of Object.entries(form.errors)) if (key.startsWith("postgres.")) errors[`pg_${key.slice(9)}`] = message;
  const shown = { ...form, errors };
  return html`<section>
    <${PageHeader} title=${editing ? `Edit ${original.name}` : "Add a server"} />
    <form onSubmit=${submit} novalidate class="panel">
      <${Field} form=${shown} name="name" label="Name" required />
      <${Field} form=${shown} name="address" label="Address" required hint="Host name or IP address" />
      <${Field} form=${shown} name="ssh_port" label="SSH port" type="number" min="1" max="65535" required />
      <${Field} form=${shown} name="ssh_user" label="SSH user" required />
      <${Field} form=${shown} name="auth_method" label="Log in with" type="select" options=${[["password", "Password"], ["key", "Stored SSH key"]]} />
      ${v.auth_method === "password"
        ? html`<${Field} form=${shown} name="password" label="SSH password" type="password" autocomplete="new-password"
            required=${needsPassword(original)} hint=${needsPassword(original)
              ? "Stored encrypted; never shown again" : "Leave blank to keep the stored password"} />`
        : html`<${Field} form=${shown} name="ssh_key_id" label="SSH key" type="select"
            options=${[["", "Choose a key"], ...keys.map((k) => [k.id, `${k.name} (${k.type}, ${k.fingerprint})`])]} />`}
      <${Field} form=${shown} name="tags" label="Tags" hint="Separated by spaces, e.g. web eu" />
      <${Field} form=${shown} name="description" label="Description" type="textarea" />
      <fieldset>
        <legend>PostgreSQL</legend>
        <${Field} form=${shown} name="pg_enabled" label="Monitor PostgreSQL on this server" type="checkbox" />
        ${v.pg_enabled &&
        html`<${Field} form=${shown} name="pg_host" label="Host" hint="Blank: the server's address" />
          <${Field} form=${shown} name="pg_port" label="Port" type="number" min="1" max="65535" required />
          <${Field} form=${shown} name="pg_user" label="Role" hint="Needs pg_monitor" />
          <${Field} form=${shown} name="pg_password" label="Password" type="password" autocomplete="new-password"
            hint=${editing ? "Leave blank to keep the stored password" : ""} />
          <${Field} form=${shown} name="pg_database" label="Database" />
          <${Field} form=${shown} name="pg_sslmode" label="SSL mode" type="select"
            options=${["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].map((m) => [m, m])} />
          <${Field} form=${shown} name="pg_via_ssh" label="Connect through the server's SSH session" type="checkbox" />`}
      </fieldset>
      <${FormError} form=${form} />
      <div class="form-actions">
        <${Submit} form=${form}>${editing ? "Save" : "Add server"}<//>
        <button type="button" onClick=${() => history.back()}>Cancel</button>
      </div>
    </form>
  </section>`;
}
