// Every page of the UI: a new capability adds its page as a file under pages/ and one entry here.
import { Account } from "./pages/account.js";
import { Dashboard } from "./pages/dashboard.js";
import { ServerDetail } from "./pages/server_detail.js";
import { ServerForm } from "./pages/server_form.js";
import { Servers } from "./pages/servers.js";
import { TaskDetail } from "./pages/task_detail.js";
import { TaskNew } from "./pages/task_new.js";
import { Tasks } from "./pages/tasks.js";

// path: wouter pattern; title: shown in the navigation when `nav`; role: the least role that sees it.
const routes = [
  { path: "/", title: "Dashboard", page: Dashboard, role: "viewer", nav: true },
  { path: "/servers", title: "Servers", page: Servers, role: "viewer", nav: true },
  { path: "/servers/new", title: "New server", page: ServerForm, role: "operator" },
  { path: "/servers/:id/edit", title: "Edit server", page: ServerForm, role: "operator" },
  { path: "/servers/:id", title: "Server", page: ServerDetail, role: "viewer" },
  { path: "/tasks", title: "Tasks", page: Tasks, role: "viewer", nav: true },
  { path: "/tasks/new", title: "Run a command", page: TaskNew, role: "operator" },
  { path: "/tasks/:id", title: "Task", page: TaskDetail, role: "viewer" },
  { path: "/account", title: "My account", page: Account, role: "viewer" },
];

export function pages() {
  return routes;
}

export function navigation() {
  return routes.filter((r) => r.nav);
}
