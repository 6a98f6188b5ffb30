// The first page: servers by status, running tasks with progress, running apps with their auto-stop countdown,
// and (for admins) recent audit events and failed logins in the last hour. Refreshes itself 15 s after each answer
// while the tab is visible.
import { Link } from "wouter-preact";
import { api, can, withQuery } from "../api.js";
import { Badge } from "../components/badge.js";
import { Empty, ErrorMessage, Loading } from "../components/feedback.js";
import { PageHeader } from "../components/layout.js";
import { Progress } from "../components/progress.js";
import { useLive } from "../components/resource.js";
import { Ago, Countdown, rfc3339 } from "../components/time.js";
import { html } from "../html.js";
import { serverStates } from "./servers.js";

const kPage = 100;

/// Counts each status with one bounded request ("100+" beyond a page): the dashboard never loads the fleet.
async function serverCounts(options) {
  const pages = await Promise.all(
    serverStates.map(([s]) => api.get("/api/v1/servers", { status: s, limit: kPage }, options)),
  );
  return serverStates.map(([s, label], i) => ({ status: s, label, count: pages[i].items.length, more: Boolean(pages[i].next_cursor) }));
}

/// Everything the dashboard shows, as one answer; `signal` ends all its requests.
async function load(signal) {
  const options = { signal };
  // Whole seconds, as the audit page's time filter writes them: the failed logins' link shows the same hour.
  const hourAgo = rfc3339(new Date(Date.now() - 3600_000));
  const failedLogins = { action: "auth.login", outcome: "denied", since: hourAgo };
  const admin = can("admin");
  const [servers, tasks, apps, events, failures] = await Promise.all([
    serverCounts(options),
    api.get("/api/v1/tasks", { state: "running", limit: 10 }, options),
    api.get("/api/v1/apps", { status: "running", limit: 10 }, options),
    admin ? api.get("/api/v1/audit/events", { limit: 10 }, options) : null,
    admin ? api.get("/api/v1/audit/events", { ...failedLogins, limit: kPage }, options) : null,
  ]);
  return { servers, tasks: tasks.items, apps: apps.items, events: events?.items, failures, failedLogins };
}

function Section({ title, children, link }) {
  return html`<section class="panel" aria-label=${title}>
    <h2>${title}${link && html` <${Link} href=${link[0]} class="hint">${link[1]}<//>`}</h2>
    ${children}
  </section>`;
}

export function Dashboard() {
  const { data, error } = useLive(load, undefined, { interval: 15000 });
  if (error && !data) return html`<${ErrorMessage} error=${error} />`;
  if (!data) return html`<${Loading} what="the dashboard" />`;
  return html`<section>
    <${PageHeader} title="Dashboard" />
    <${ErrorMessage} error=${error} />
    <div class="stats" aria-label="Servers by status">
      ${data.servers.map(
        (s) => html`<${Link} href=${`/servers?status=${s.status}`} class="stat" key=${s.status}>
          <strong>${s.count}${s.more ? "+" : ""}</strong><${Badge} value=${s.status} />
        <//>`,
      )}
      ${data.failures &&
      html`<${Link} href=${withQuery("/audit", data.failedLogins)} class="stat">
        <strong data-testid="failed-logins">${data.failures.items.length}${data.failures.next_cursor ? "+" : ""}</strong>failed logins, last hour
      <//>`}
    </div>
    <div class="grid">
      <${Section} title="Running tasks" link=${["/tasks", "all tasks"]}>
        ${data.tasks.length === 0
          ? html`<${Empty}>No task is running.<//>`
          : html`<ul>${data.tasks.map((t) => html`<li key=${t.id}>
              <${Link} href=${`/tasks/${t.id}`}>${t.kind}${t.command ? `: ${t.command.slice(0, 40)}` : ""}<//>
              <${Progress} ...${t.progress} /></li>`)}</ul>`}
      <//>
      <${Section} title="Running apps" link=${["/apps", "all apps"]}>
        ${data.apps.length === 0
          ? html`<${Empty}>No app is running.<//>`
          : html`<ul>${data.apps.map((a) => html`<li key=${a.id}>
              <${Link} href=${`/apps?project_id=${a.project_id}`}>${a.name}<//>
              ${a.auto_stop_at ? html` stops in <${Countdown} value=${a.auto_stop_at} />` : " (no auto-stop)"}</li>`)}</ul>`}
      <//>
      ${data.events &&
      html`<${Section} title="Recent audit events" link=${["/audit", "audit trail"]}>
        ${data.events.length === 0
          ? html`<${Empty}>Nothing yet.<//>`
          : html`<ul>${data.events.map((e) => html`<li key=${e.id}>
              <${Ago} value=${e.time} /> ${e.actor.name || e.actor.kind} <code>${e.action}</code> <${Badge} value=${e.outcome} /></li>`)}</ul>`}
      <//>`}
    </div>
  </section>`;
}
