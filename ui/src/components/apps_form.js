// Create or edit a compose app: where its compose file lives (server + directory), where it answers, and how long
// a run lasts before gatehouse stops it. Editing sends only what changed (PATCH).
import { api } from "../api.js";
import { html } from "../html.js";
import { Field, FormError, Submit, check, useForm, validateWith } from "./form.js";

export const kMaxMinutes = 525600; // a year: the API's bound

export const minutesCheck = (v) =>
  v === "" || v === undefined || (/^\d+$/.test(String(v).trim()) && Number(v) <= kMaxMinutes)
    ? null
    : `A whole number of minutes from 0 to ${kMaxMinutes}.`;

const validate = validateWith({
  name: [check.required, check.maxLength(128, { trimmed: true })],
  project_id: [(v) => (v ? null : "Choose a project.")],
  server_id: [(v) => (v ? null : "Choose a server.")],
  cd_path: [
    check.required,
    (v) => (v.startsWith("/") || v === "~" || v.startsWith("~/") ? null : "An absolute path (/srv/app) or ~/app."),
    (v) => (/[\n\r\0]/.test(v) ? "No line breaks." : null),
  ],
  app_url: [
    (v) => {
      if (!v.trim()) return null;
      try {
        const url = new URL(v.trim());
        const web = url.protocol === "http:" || url.protocol === "https:";
        return web && url.hostname ? null : "An http:// or https:// URL.";
      } catch {
        return "An http:// or https:// URL.";
      }
    },
  ],
  auto_stop_minutes: [check.required, minutesCheck],
});

function valuesOf(app, projectId) {
  return {
    name: app?.name || "",
    project_id: app?.project_id || projectId || "",
    server_id: app?.server_id || "",
    cd_path: app?.cd_path || "",
    app_url: app?.app_url || "",
    auto_stop_minutes: String(app?.auto_stop_minutes ?? 60),
  };
}

function bodyOf(v) {
  return {
    name: v.name.trim(),
    project_id: v.project_id,
    server_id: v.server_id,
    cd_path: v.cd_path,
    app_url: v.app_url.trim(),
    auto_stop_minutes: Number(v.auto_stop_minutes),
  };
}

/// `app`: the app to edit (absent: a new one, in `projectId` when given); `done(app)` after saving.
export function AppForm({ app, projectId, projects, servers, done, cancel }) {
  const form = useForm(valuesOf(app, projectId), validate);
  const submit = form.submit(async (v) => {
    let body = bodyOf(v);
    if (app) {
      const before = bodyOf(valuesOf(app));
      body = Object.fromEntries(Object.entries(body).filter(([k, value]) => value !== before[k]));
      if (!Object.keys(body).length) return done(app);
    }
    done(app ? await api.patch(`/api/v1/apps/${app.id}`, body) : await api.post("/api/v1/apps", body));
  });
  const choose = (what, items, name) => [["", `Choose a ${what}`], ...items.map((i) => [i.id, name(i)])];
  const title = app ? "Edit the app" : "New app";
  return html`<form onSubmit=${submit} novalidate class="panel apps-form" aria-label=${title}>
    ${app && html`<h2>${title}</h2>`}
    <${Field} form=${form} name="name" label="App name" required hint="Unique within its project" />
    <${Field} form=${form} name="project_id" label="Project" type="select" required
      options=${choose("project", projects.items, (p) => p.name)} />
    <${Field} form=${form} name="server_id" label="Server" type="select" required
      options=${choose("server", servers.items, (s) => `${s.name} (${s.address})`)} />
    <${Field} form=${form} name="cd_path" label="Compose directory" required autocomplete="off"
      hint="Where docker-compose.yml is on the server: /srv/app or ~/app" />
    <${Field} form=${form} name="app_url" label="App URL" type="url" hint="Optional: where the app answers once up" />
    <${Field} form=${form} name="auto_stop_minutes" label="Auto-stop after (minutes)" type="number" min="0"
      max=${kMaxMinutes} required hint="A started app is stopped after this many minutes; 0 means never." />
    <${FormError} form=${form} />
    <div class="form-actions">
      <${Submit} form=${form}>${app ? "Save app" : "Create app"}<//>
      <button type="button" onClick=${cancel}>Cancel</button>
    </div>
  </form>`;
}
