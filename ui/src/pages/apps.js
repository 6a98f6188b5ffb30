// Projects and their docker compose apps. /apps: the projects, and the apps filtered on the server by project,
// server and status (kept in the URL: the dashboard links to /apps?project_id=ID). /apps/:id: one app, live;
// /apps/new: the create form (?project_id= preselects the project).
import { Link } from "wouter-preact";
import { can } from "../api.js";
import { Badge } from "../components/badge.js";
import { ErrorMessage } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { Filters, PagedTable, usePaged, useQueryState } from "../components/list.js";
import { Countdown } from "../components/time.js";
import { AppView, NewApp } from "../components/apps_detail.js";
import { appStates, limitText, useChoices } from "../components/apps_lookup.js";
import { ProjectsPanel } from "../components/apps_projects.js";
import { html } from "../html.js";
import "./apps.css";

function AutoStop({ app }) {
  if (app.status === "running" && app.auto_stop_at) {
    return html`<span>in <${Countdown} value=${app.auto_stop_at} /></span>`;
  }
  if (app.status === "running" || !app.auto_stop_minutes) return html`<span>never</span>`;
  return html`<span class="hint">after ${limitText(app.auto_stop_minutes)}</span>`;
}

export function Apps() {
  const [query, setQuery] = useQueryState();
  const projects = useChoices("/api/v1/projects");
  const servers = useChoices("/api/v1/servers");
  const filter = { project_id: query.project_id, server_id: query.server_id, status: query.status };
  const list = usePaged("/api/v1/apps", filter, { limit: 50 });
  const project = projects.items.find((p) => p.id === query.project_id);
  const newApp = query.project_id ? `/apps/new?project_id=${query.project_id}` : "/apps/new";
  const lookupError = projects.error || servers.error;
  return html`<section>
    <${PageHeader} title="Projects and apps" />
    <${ProjectsPanel} selected=${query.project_id || ""} select=${(id) => setQuery({ project_id: id })}
      changed=${() => (projects.reload(), list.reload())} />
    <section class="apps-list" aria-labelledby="apps-title">
      <div class="apps-section-head">
        <h2 id="apps-title">${project ? `Apps in ${project.name}` : "Apps"}</h2>
        ${can("operator") && html`<${Link} href=${newApp} class="button primary">New app<//>`}
      </div>
      ${lookupError &&
      html`<${ErrorMessage} error=${lookupError} retry=${() => (projects.reload(), servers.reload())} />`}
      <${Filters} values=${query} set=${setQuery} fields=${[
        { name: "project_id", label: "Project", options: projects.items.map((p) => [p.id, p.name]) },
        { name: "server_id", label: "Server", options: servers.items.map((s) => [s.id, s.name]) },
        { name: "status", label: "Status", options: appStates },
      ]} />
      <${PagedTable} list=${list} caption="Apps"
        empty=${query.project_id || query.server_id || query.status ? "No app matches these filters." : "No app yet."}
        columns=${["App", "Project", "Server", "Status", "Auto-stop", "Directory"]}
        row=${(a) => html`<tr key=${a.id}>
          <td><${Link} href=${`/apps/${a.id}`}>${a.name}<//></td>
          <td>${projects.name(a.project_id) || "—"}</td>
          <td>${servers.name(a.server_id) || "—"}</td>
          <td><${Badge} value=${a.status} /></td>
          <td><${AutoStop} app=${a} /></td>
          <td class="mono apps-path">${a.cd_path}</td>
        </tr>`} />
    </section>
  </section>`;
}

export function AppsNew() {
  const [query] = useQueryState();
  return html`<${NewApp} projectId=${query.project_id} />`;
}

export function AppsDetail({ params }) {
  return html`<${AppView} id=${params.id} />`;
}
