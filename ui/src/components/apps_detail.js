// One app: its status and auto-stop countdown, where it runs, the latest compose task's output live, and for
// operators start/stop, the limit, edit and delete. While a task runs the app is re-read each second, since its
// status changes when the task ends.
import { useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { api, can } from "../api.js";
import { html } from "../html.js";
import { ActionButton } from "./actions.js";
import { Badge } from "./badge.js";
import { ErrorMessage, Loading } from "./feedback.js";
import { PageHeader } from "./layout.js";
import { Countdown, Time } from "./time.js";
import { useLive, useResource } from "./resource.js";
import { AppForm } from "./apps_form.js";
import { limitText, useChoices } from "./apps_lookup.js";
import { LimitForm, RunControls } from "./apps_run.js";
import { TaskOutput } from "./apps_task.js";

const kBusy = ["starting", "stopping"];

/// The create form at /apps/new (?project_id= preselects the project).
export function NewApp({ projectId }) {
  const [, navigate] = useLocation();
  const projects = useChoices("/api/v1/projects");
  const servers = useChoices("/api/v1/servers");
  const failed = projects.error || servers.error;
  return html`<section>
    <${PageHeader} title="New app" />
    ${failed && html`<${ErrorMessage} error=${failed} retry=${() => (projects.reload(), servers.reload())} />`}
    ${!projects.loaded || !servers.loaded
      ? html`<${Loading} what="projects and servers" />`
      : html`<${AppForm} projectId=${projectId} projects=${projects} servers=${servers}
          done=${(app) => navigate(`/apps/${app.id}`)} cancel=${() => history.back()} />`}
  </section>`;
}

function EditApp({ app, done, cancel }) {
  const projects = useChoices("/api/v1/projects");
  const servers = useChoices("/api/v1/servers");
  if (projects.error || servers.error) return html`<${ErrorMessage} error=${projects.error || servers.error} />`;
  if (!projects.loaded || !servers.loaded) return html`<${Loading} what="projects and servers" />`;
  return html`<${AppForm} app=${app} projects=${projects} servers=${servers} done=${done} cancel=${cancel} />`;
}

function Deadline({ app }) {
  if (app.status !== "running") return html`<span>— (not running)</span>`;
  if (!app.auto_stop_at) return html`<span>never: this run has no limit</span>`;
  return html`<span class="apps-deadline"
    >in <${Countdown} value=${app.auto_stop_at} /> (at <${Time} value=${app.auto_stop_at} />)</span
  >`;
}

/// The names of the app's project and server (the app holds their ids).
function useOwners(app) {
  const project = useResource(`/api/v1/projects/${app?.project_id}`, {}, { enabled: Boolean(app) });
  const server = useResource(`/api/v1/servers/${app?.server_id}`, {}, { enabled: Boolean(app) });
  return { project: project.data?.name, server: server.data?.name };
}

export function AppView({ id }) {
  // Followed only while a compose task starts or stops it.
  const live = useLive(`/api/v1/apps/${id}`, {}, { interval: 1000, paused: (a) => !kBusy.includes(a?.status) });
  const app = live.data;
  const [editing, setEditing] = useState(false);
  const [, navigate] = useLocation();
  const owners = useOwners(app);
  const load = () => live.refresh();
  if (live.error && !app) return html`<${ErrorMessage} error=${live.error} retry=${load} />`;
  if (!app) return html`<${Loading} what="the app" />`;
  const operator = can("operator");
  const back = `/apps?project_id=${app.project_id}`;
  return html`<section>
    <${PageHeader} title=${app.name}>
      <span class="apps-title-status"><${Badge} value=${app.status} /></span>
      ${operator && !editing && html`<button type="button" onClick=${() => setEditing(true)}>Edit</button>`}
      ${operator &&
      html`<${ActionButton} kind="danger" confirm=${`Delete the app ${app.name}? Its containers are left as they are.`}
        action=${() => api.del(`/api/v1/apps/${app.id}`)} done=${() => navigate(back)}>Delete<//>`}
      <${Link} href=${back} class="button">All apps of ${owners.project || "the project"}<//>
    <//>
    <${ErrorMessage} error=${live.error} retry=${load} />
    ${editing &&
    html`<${EditApp} app=${app} cancel=${() => setEditing(false)} done=${(a) => (live.set(a), setEditing(false))} />`}
    <div class="grid">
      <section class="panel apps-panel" aria-labelledby="app-run-title">
        <h2 id="app-run-title">Run</h2>
        <dl class="facts">
          <dt>Status</dt><dd data-testid="app-status"><${Badge} value=${app.status} /></dd>
          <dt>Started</dt><dd><${Time} value=${app.started_at} /></dd>
          <dt>Stops</dt><dd data-testid="app-deadline"><${Deadline} app=${app} /></dd>
          <dt>Limit</dt><dd data-testid="app-limit">${limitText(app.auto_stop_minutes)}</dd>
        </dl>
        ${operator &&
        html`<${RunControls} app=${app} started=${(run) => live.set({ ...run.app, last_task_id: run.task_id })} />
          <${LimitForm} key=${app.auto_stop_minutes} app=${app} saved=${live.set} />`}
      </section>
      <section class="panel apps-panel" aria-labelledby="app-def-title">
        <h2 id="app-def-title">Definition</h2>
        <dl class="facts">
          <dt>Project</dt><dd><${Link} href=${back}>${owners.project || app.project_id}<//></dd>
          <dt>Server</dt><dd><${Link} href=${`/servers/${app.server_id}`}>${owners.server || app.server_id}<//></dd>
          <dt>Directory</dt><dd class="mono">${app.cd_path}</dd>
          <dt>URL</dt>
          <dd>
            ${app.app_url
              ? html`<a href=${app.app_url} rel="noopener noreferrer" target="_blank">${app.app_url}</a>`
              : "—"}
          </dd>
          <dt>Created</dt><dd><${Time} value=${app.created_at} /></dd>
          <dt>Changed</dt><dd><${Time} value=${app.updated_at} /></dd>
        </dl>
      </section>
    </div>
    ${app.last_task_id
      ? html`<${TaskOutput} key=${app.last_task_id} taskId=${app.last_task_id} onEnd=${load} />`
      : html`<p class="hint">No compose task yet: starting the app runs <code>docker compose up -d</code> in its
          directory, and its output appears here.</p>`}
  </section>`;
}
