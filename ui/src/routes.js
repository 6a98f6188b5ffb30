// Every page of the UI: a new capability adds its page as a file under pages/ and one entry here.
import { Account } from "./pages/account.js";
import { Alerts, AlertsDetail } from "./pages/alerts.js";
import { Apps, AppsDetail, AppsNew } from "./pages/apps.js";
import { Audit, AuditDetail } from "./pages/audit.js";
import { Collectors, CollectorsDetail } from "./pages/collectors.js";
import { Gateway, GatewayDetail, GatewayNew } from "./pages/gateway.js";
import { Keys, KeysDetail } from "./pages/keys.js";
import { Postgres, PostgresDetail } from "./pages/postgres.js";
import { Series, SeriesDetail } from "./pages/series.js";
import { Users, UsersDetail } from "./pages/users.js";
import { Dashboard } from "./pages/dashboard.js";
import { ServerDetail } from "./pages/server_detail.js";
import { ServerForm } from "./pages/server_form.js";
import { Servers } from "./pages/servers.js";
import { TaskDetail } from "./pages/task_detail.js";
import { TaskNew } from "./pages/task_new.js";
import { Tasks } from "./pages/tasks.js";

// path: wouter pattern; title: shown in the navigation when `nav`; role: the least role that sees it; denied: what
// a lower role reads there instead of the general "Your role cannot use this page".
const routes = [
  { path: "/", title: "Dashboard", page: Dashboard, role: "viewer", nav: true },
  { path: "/servers", title: "Servers", page: Servers, role: "viewer", nav: true },
  { path: "/servers/new", title: "New server", page: ServerForm, role: "operator" },
  { path: "/servers/:id/edit", title: "Edit server", page: ServerForm, role: "operator" },
  { path: "/servers/:id", title: "Server", page: ServerDetail, role: "viewer" },
  { path: "/tasks", title: "Tasks", page: Tasks, role: "viewer", nav: true },
  { path: "/tasks/new", title: "Run a command", page: TaskNew, role: "operator" },
  { path: "/tasks/:id", title: "Task", page: TaskDetail, role: "viewer" },
  { path: "/keys", title: "SSH keys", page: Keys, role: "viewer", nav: true },
  { path: "/keys/:id", title: "SSH key", page: KeysDetail, role: "viewer" },
  { path: "/apps", title: "Projects and apps", page: Apps, role: "viewer", nav: true },
  { path: "/apps/new", title: "New app", page: AppsNew, role: "operator",
    denied: "Only operators and admins add apps." },
  { path: "/apps/:id", title: "App", page: AppsDetail, role: "viewer" },
  { path: "/postgres", title: "PostgreSQL", page: Postgres, role: "viewer", nav: true },
  { path: "/postgres/:id", title: "PostgreSQL server", page: PostgresDetail, role: "viewer" },
  // Not /metrics: that path is the Prometheus export.
  { path: "/series", title: "Metrics", page: Series, role: "viewer", nav: true },
  { path: "/series/:id", title: "Metric", page: SeriesDetail, role: "viewer" },
  { path: "/alerts", title: "Alerts", page: Alerts, role: "viewer", nav: true },
  { path: "/alerts/:id", title: "Alert", page: AlertsDetail, role: "viewer" },
  { path: "/collectors", title: "Collectors", page: Collectors, role: "viewer", nav: true },
  { path: "/collectors/:id", title: "Collector", page: CollectorsDetail, role: "viewer" },
  { path: "/gateway", title: "Gateway", page: Gateway, role: "viewer", nav: true },
  { path: "/gateway/new", title: "New gateway route", page: GatewayNew, role: "admin",
    denied: "Only admins add gateway routes." },
  { path: "/gateway/:id", title: "Gateway route", page: GatewayDetail, role: "viewer" },
  { path: "/users", title: "Users", page: Users, role: "admin", nav: true },
  { path: "/users/:id", title: "User", page: UsersDetail, role: "admin" },
  { path: "/audit", title: "Audit", page: Audit, role: "admin", nav: true },
  { path: "/audit/:id", title: "Audit event", page: AuditDetail, role: "admin" },
  { path: "/account", title: "My account", page: Account, role: "viewer" },
];

export function pages() {
  return routes;
}

export function navigation() {
  return routes.filter((r) => r.nav);
}
