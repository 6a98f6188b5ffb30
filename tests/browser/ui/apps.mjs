// Projects and apps, as an operator and then a viewer: create and edit a project, create an app, start it (compose's
// output live, status running, the auto-stop countdown ticking), change its limit (the countdown follows), reach it
// from the dashboard's link, filter the apps by status and server, stop it, rename it, delete an app and a project.
// The viewer sees the same pages without a control that changes anything. The remote `docker compose` is a test
// double (tests/e2e/apps_support.py): there is no Docker engine here.
import { assert, config, findings, openPage, run, signIn, visit } from "./harness.mjs";

const kTask = 30000; // a compose task over the sshd fixture

/// Waits until the Apps table lists exactly `names` (a filter's answer, not the previous page still shown). Polled
/// from here: the page's CSP forbids the eval that page.waitForFunction's polling needs.
async function rowsAre(page, names) {
  const want = [...names].sort().join("\n");
  const links = page.getByRole("table", { name: "Apps" }).locator("tbody td:first-child a");
  let got = "";
  for (const started = Date.now(); Date.now() - started < 15000; await page.waitForTimeout(100)) {
    got = (await links.allTextContents()).sort().join("\n");
    if (got === want) return;
  }
  assert.fail(`the Apps table lists ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
}

async function countdownText(page) {
  return page.getByTestId("app-deadline").locator("time.countdown").textContent();
}

async function operatorPaths(browser) {
  const { page } = await openPage(browser);
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, config.operator.username, config.operator.password, { path: "/apps" });
  await page.getByRole("heading", { name: "Projects and apps" }).waitFor();
  const projects = page.getByRole("table", { name: "Projects" });
  const apps = page.getByRole("table", { name: "Apps" });
  await projects.getByRole("link", { name: config.seeded.name }).waitFor();
  await rowsAre(page, ["kept-app", "elsewhere-app", "doomed-app", "spare-app"]);
  // The API gives ids; the table shows the project's and the server's names.
  const kept = apps.getByRole("row").filter({ has: page.getByRole("link", { name: "kept-app" }) });
  await kept.getByRole("cell", { name: config.seeded.name, exact: true }).waitFor();
  await kept.getByRole("cell", { name: config.server.name, exact: true }).waitFor();
  await visit(page, "apps-list");

  // A project: an empty name is refused before sending, a taken one by the server, next to the field.
  await page.getByRole("button", { name: "New project" }).click();
  const projectName = page.getByLabel("Project name");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.locator(".field-error", { hasText: "Required." }).waitFor();
  assert.equal(await projectName.getAttribute("aria-invalid"), "true");
  await projectName.fill(config.seeded.name);
  await page.getByRole("button", { name: "Create project" }).click();
  await page.locator(".field-error", { hasText: "is taken" }).waitFor();
  await visit(page, "apps-project-form");
  await projectName.fill(config.project_name);
  await page.getByLabel("Description").fill("made in the UI");
  await page.getByRole("button", { name: "Create project" }).click();
  // Created and selected: the apps below are the new project's (none yet), and the URL says which.
  await page.getByRole("heading", { name: `Apps in ${config.project_name}` }).waitFor();
  const projectId = new URL(page.url()).searchParams.get("project_id");
  assert.ok(projectId, page.url());
  findings.measures.project_id = projectId;
  await page.getByText("No app matches these filters.").waitFor();

  await page.getByRole("button", { name: `Edit project ${config.project_name}` }).click();
  await page.getByLabel("Description").fill("edited in the UI");
  await page.getByRole("button", { name: "Save project" }).click();
  await projects.getByRole("cell", { name: "edited in the UI" }).waitFor();

  // An app in it: the project comes preselected; a relative directory is refused before sending.
  await page.getByRole("link", { name: "New app" }).click();
  await page.getByRole("heading", { name: "New app" }).waitFor();
  assert.equal(await page.getByLabel("Project", { exact: true }).inputValue(), projectId);
  await page.getByLabel("App name").fill(config.app_name);
  const serverOption = `${config.server.name} (${config.server.address})`;
  await page.getByLabel("Server", { exact: true }).selectOption({ label: serverOption });
  await page.getByLabel("Compose directory").fill("srv/relative");
  await page.getByLabel("App URL").fill("http://127.0.0.1:9/");
  await page.getByLabel("Auto-stop after (minutes)").fill("30");
  await page.getByRole("button", { name: "Create app" }).click();
  await page.locator(".field-error", { hasText: "An absolute path" }).waitFor();
  await visit(page, "apps-new");
  await page.getByLabel("Compose directory").fill(config.cd_path);
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByRole("heading", { name: config.app_name }).waitFor();
  const appId = new URL(page.url()).pathname.split("/").pop();
  findings.measures.app_id = appId;
  const status = page.getByTestId("app-status");
  await status.getByText("stopped").waitFor();
  await page.getByTestId("app-limit").getByText("30 minutes").waitFor();
  // The app holds ids; the page names its project and server.
  await page.getByRole("link", { name: `All apps of ${config.project_name}` }).waitFor();
  await page.getByRole("link", { name: config.server.name, exact: true }).waitFor();

  // Start: compose's output arrives in the page, the app runs, and its countdown ticks from 30 minutes.
  await page.getByRole("button", { name: "Start", exact: true }).click();
  const output = page.getByRole("log", { name: "Output of the latest task" });
  await output.filter({ hasText: "Started" }).waitFor({ timeout: kTask });
  findings.measures.start_task_id = await output.getAttribute("data-task");
  await status.getByText("running").waitFor({ timeout: kTask });
  await page.getByTestId("app-deadline").locator("time.countdown").waitFor();
  const before = await countdownText(page);
  findings.measures.countdown_before = before;
  assert.match(before, /^(29|30):\d\d$/);
  const countdown = page.getByTestId("app-deadline").locator("time.countdown");
  await countdown.filter({ hasNotText: before }).waitFor(); // it ticks

  // A new limit: 5 minutes from the run's start (0 would mean never; the hint says so).
  await page.getByText("0 means never").waitFor();
  await page.getByLabel("Auto-stop after (minutes)").fill("5");
  await page.getByRole("button", { name: "Save limit" }).click();
  await page.getByTestId("app-limit").getByText("5 minutes").waitFor();
  await countdown.filter({ hasText: /^[45]:\d\d$/ }).waitFor();
  findings.measures.countdown_after = await countdownText(page);
  await visit(page, "apps-running");

  // The dashboard's running app links to its project's apps.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("region", { name: "Running apps" }).getByRole("link", { name: config.app_name }).click();
  await page.getByRole("heading", { name: `Apps in ${config.project_name}` }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get("project_id"), projectId);
  await rowsAre(page, [config.app_name]);
  await apps.locator("time.countdown").waitFor();

  // Filters go to the API and stay in the URL.
  // A filter's label wraps its select, so the select's name also holds its value: found by role and name start.
  const filter = (name) => page.getByRole("combobox", { name: new RegExp(`^${name}`) });
  await filter("Status").selectOption("stopped");
  await page.getByText("No app matches these filters.").waitFor();
  assert.match(page.url(), /status=stopped/);
  await filter("Project").selectOption("");
  await rowsAre(page, ["kept-app", "elsewhere-app", "doomed-app", "spare-app"]);
  await filter("Server").selectOption(config.far.id);
  await rowsAre(page, ["elsewhere-app"]);
  assert.match(page.url(), new RegExp(`server_id=${config.far.id}`));
  await filter("Server").selectOption("");
  await filter("Status").selectOption("running");
  await rowsAre(page, [config.app_name]);

  // Stop: the compose down task's output, then stopped with no deadline.
  await apps.getByRole("link", { name: config.app_name }).click();
  await status.getByText("running").waitFor();
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await output.filter({ hasText: "Removed" }).waitFor({ timeout: kTask });
  await status.getByText("stopped").waitFor({ timeout: kTask });
  await page.getByTestId("app-deadline").getByText("not running").waitFor();
  await visit(page, "apps-stopped");

  // Rename the app.
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByLabel("App name").fill(config.renamed);
  await page.getByRole("button", { name: "Save app" }).click();
  await page.getByRole("heading", { name: config.renamed }).waitFor();
  findings.measures.renamed = config.renamed;

  // Delete an app of the seeded project, then the spare project with its app.
  await page.goto(`${config.base}/apps/${config.doomed}`);
  await page.getByRole("heading", { name: "doomed-app" }).waitFor();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("heading", { name: `Apps in ${config.seeded.name}` }).waitFor();
  await rowsAre(page, ["kept-app", "elsewhere-app"]);
  await page.getByRole("button", { name: `Delete project ${config.spare.name}` }).click();
  await projects.getByRole("link", { name: config.spare.name }).waitFor({ state: "detached" });
  return { projectId, appId };
}

async function narrow(browser, { projectId, appId }) {
  const { context, page } = await openPage(browser, { width: 390 });
  await signIn(page, config.operator.username, config.operator.password, { path: `/apps?project_id=${projectId}` });
  await rowsAre(page, [config.renamed]);
  await visit(page, "apps-list-mobile");
  await page.getByRole("table", { name: "Apps" }).getByRole("link", { name: config.renamed }).click();
  await page.getByRole("heading", { name: config.renamed }).waitFor();
  await page.getByRole("log", { name: "Output of the latest task" }).filter({ hasText: "Removed" }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/apps/${appId}`);
  await visit(page, "apps-detail-mobile");
  await context.close();
}

async function viewer(browser, { projectId }) {
  const { context, page } = await openPage(browser);
  await signIn(page, config.viewer.username, config.viewer.password, { path: `/apps?project_id=${projectId}` });
  await rowsAre(page, [config.renamed]);
  await page.getByRole("table", { name: "Projects" }).getByRole("link", { name: config.project_name }).waitFor();
  for (const name of ["New project", /^Edit project/, /^Delete project/]) {
    assert.equal(await page.getByRole("button", { name }).count(), 0, `viewer sees ${name}`);
  }
  assert.equal(await page.getByRole("link", { name: "New app" }).count(), 0, "viewer sees New app");
  await visit(page, "apps-viewer-list");
  await page.getByRole("table", { name: "Apps" }).getByRole("link", { name: config.renamed }).click();
  await page.getByRole("heading", { name: config.renamed }).waitFor();
  await page.getByTestId("app-limit").getByText("5 minutes").waitFor();
  await page.getByRole("log", { name: "Output of the latest task" }).filter({ hasText: "Removed" }).waitFor();
  const changes = page.getByRole("button").filter({ hasText: /^(Start|Start again|Stop|Edit|Delete|Save limit)$/ });
  assert.equal(await changes.count(), 0, "viewer sees a control that changes the app");
  assert.equal(await page.getByLabel("Auto-stop after (minutes)").count(), 0, "viewer sees the limit form");
  await visit(page, "apps-viewer-detail");
  await context.close();
}

await run(async (browser) => {
  const ids = await operatorPaths(browser);
  await narrow(browser, ids);
  await viewer(browser, ids);
});
