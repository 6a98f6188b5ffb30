// Metrics, alerts and collectors as a user drives them: pick a sampled series and chart it (a canvas, the query in
// the URL, presets, aggregation, the API's bound shown when a query asks too much, a custom range), create an alert
// rule that fires at once, see it firing and acknowledge it with a comment, edit and disable the rule, see a
// built-in refuse deletion; list collectors with their certificate expiry, filter by status, create an enrolment
// token (shown once) and delete a collector. A viewer at 390 px sees the same pages without any control to change.
import { assert, config, findings, openPage, run, signIn, until, visit } from "./harness.mjs";

const serverId = config.server_id;
const main = (page) => page.getByRole("navigation", { name: "Main" });

async function chart(page) {
  await main(page).getByRole("link", { name: "Metrics" }).click();
  await page.getByRole("heading", { name: "Metrics", exact: true }).waitFor();
  await page.getByLabel("Metric name").fill("pg_up");
  await page.getByLabel("Metric name").press("Enter");
  await page.waitForURL(/[?&]name=pg_up/);
  // The list filtered on the server: every row is a pg_up series.
  await until(page, () => {
    const rows = [...document.querySelectorAll("tbody tr")];
    return rows.length > 0 && rows.every((r) => r.cells[0].textContent.trim() === "pg_up");
  }, undefined, 30000);
  const row = page.getByRole("row", { name: new RegExp(`server=${serverId}`) });
  await row.waitFor();
  await visit(page, "series-list");

  await row.getByRole("link", { name: /Chart this series/ }).click();
  await page.getByRole("heading", { name: "pg_up", exact: true }).waitFor();
  await page.locator(".m-chart canvas").first().waitFor();
  assert.ok(page.url().includes(`match%5Bserver%5D=${serverId}`), `the matcher is in the URL: ${page.url()}`);
  await page.getByRole("button", { name: "6 h" }).click();
  await page.waitForURL(/range=6h/);
  assert.equal(await page.getByRole("button", { name: "6 h" }).getAttribute("aria-pressed"), "true");
  await page.getByLabel("Aggregation").selectOption("max");
  await page.getByLabel("Group by").fill("server");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.waitForURL(/agg=max/);
  assert.match(page.url(), /group_by=server/);
  await page.locator(".m-chart canvas").first().waitFor();
  await page.getByRole("region", { name: "Series values" }).getByText(`server=${serverId}`).waitFor();
  await visit(page, "series-chart");

  // The choice survives a reload: it is all in the URL.
  await page.reload();
  await page.locator(".m-chart canvas").first().waitFor();
  assert.equal(await page.getByLabel("Aggregation").inputValue(), "max");
  assert.equal(await page.getByLabel("Label matchers").inputValue(), `server=${serverId}`);

  // Seven days at one point per second is more than the API answers: its detail says so.
  await page.getByRole("button", { name: "7 d" }).click();
  await page.waitForURL(/range=7d/);
  await page.getByLabel("Step (s)").fill("1");
  await page.getByRole("button", { name: "Apply" }).click();
  const bound = page.getByRole("alert").filter({ hasText: "at most" });
  await bound.waitFor();
  findings.measures.bound_detail = await bound.textContent();
  assert.match(findings.measures.bound_detail, /points per answer/);

  // A custom range: from and to fields, kept in the URL.
  await page.getByRole("button", { name: "Custom" }).click();
  await page.waitForURL(/range=custom/);
  await page.getByLabel("From").waitFor();
  await page.getByLabel("Step (s)").fill("");
  await page.getByRole("button", { name: "Apply" }).click();
  await page.locator(".m-chart canvas").first().waitFor();
  assert.match(page.url(), /from=\d{4}-/);
  findings.measures.chart_url = page.url();
}

async function firingAlert(page, name) {
  const firing = page.getByRole("region", { name: "Firing" });
  for (let i = 0; i < 60; i++) {
    if (await firing.getByRole("link", { name }).count()) return firing.getByRole("link", { name });
    await page.waitForTimeout(500);
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.getByRole("heading", { name: "Firing" }).waitFor();
  }
  throw new Error(`no firing alert of ${name}`);
}

async function alerts(page) {
  await main(page).getByRole("link", { name: "Alerts" }).click();
  await page.getByRole("heading", { name: "Alerts", exact: true }).waitFor();
  await page.getByRole("link", { name: "Rules" }).click();
  await page.getByRole("heading", { name: "Alert rules" }).waitFor();
  const builtin = page.locator('tr[data-rule="PostgreSQL replication lag"]');
  assert.match(await builtin.textContent(), /disabled/, "built-in rules ship disabled");
  await builtin.getByRole("button", { name: "Delete PostgreSQL replication lag" }).click();
  await builtin.getByRole("alert").filter({ hasText: "built-in rules cannot be deleted" }).waitFor();

  await page.getByRole("button", { name: "New rule" }).click();
  await page.getByRole("heading", { name: "New alert rule" }).waitFor();
  await page.getByRole("button", { name: "Create rule" }).click();
  await page.getByText("Please correct the fields marked below.").waitFor();
  await visit(page, "alerts-rule-form");
  await page.getByLabel("Rule name").fill("pg is up");
  await page.getByLabel("Metric").fill("pg_up");
  await page.getByLabel("Label matchers").fill(`server=${serverId}`);
  await page.getByLabel("Aggregation").selectOption("last");
  await page.getByLabel("Window (s)").fill("5");
  await page.getByLabel("Threshold").fill("0.5");
  await page.getByLabel("Severity").selectOption("critical");
  await page.getByLabel("Webhook URL").fill("http://127.0.0.1:9/hook");
  await page.getByRole("button", { name: "Create rule" }).click();
  const secret = page.getByRole("status").filter({ hasText: "Webhook secret of pg is up" }).locator("code");
  await secret.waitFor();
  findings.measures.webhook_secret_shown = (await secret.textContent()).startsWith("whsec_");
  assert.ok(findings.measures.webhook_secret_shown, "the generated secret is shown");
  await page.locator('tr[data-rule="pg is up"]').waitFor();
  await visit(page, "alerts-rules");

  await page.getByRole("navigation", { name: "Alert views" }).getByRole("link", { name: "Alerts" }).click();
  await page.getByRole("heading", { name: "Firing" }).waitFor();
  const link = await firingAlert(page, "pg is up");
  await visit(page, "alerts-list");
  await link.click();
  await page.getByRole("heading", { name: "Alert: pg is up" }).waitFor();
  await page.getByTestId("alert-state").getByText("firing").waitFor();
  await page.getByLabel("Comment").fill("looking into it");
  await page.getByRole("button", { name: "Acknowledge" }).click();
  await page.getByTestId("acknowledgement").getByText("looking into it").waitFor();
  assert.equal(await page.getByRole("button", { name: "Acknowledge" }).count(), 0, "acknowledged once");
  findings.measures.alert_url = page.url();
  await visit(page, "alert-detail");

  // Edit the rule, then disable it.
  await page.goto(`${config.base}/alerts?view=rules`);
  await page.getByRole("button", { name: "Edit pg is up" }).click();
  await page.getByRole("heading", { name: "Edit pg is up" }).waitFor();
  await page.getByLabel("Threshold").fill("0.25");
  await page.getByRole("button", { name: "Save rule" }).click();
  const row = page.locator('tr[data-rule="pg is up"]');
  await row.getByText("> 0.25").waitFor();
  await row.getByRole("button", { name: "Disable pg is up" }).click();
  await row.getByRole("button", { name: "Enable pg is up" }).waitFor();
  assert.match(await row.textContent(), /disabled/);
}

async function collectors(page) {
  await main(page).getByRole("link", { name: "Collectors" }).click();
  await page.getByRole("heading", { name: "Collectors" }).waitFor();
  const keep = page.locator(`tr[data-collector="${config.keep.id}"]`);
  await keep.waitFor();
  const expiry = keep.locator("td").nth(2).locator("time").first();
  assert.equal(await expiry.getAttribute("datetime"), new Date(config.keep.expires).toISOString());
  assert.match(await keep.locator("td").nth(2).textContent(), /in \d+ days/);

  await page.getByLabel("Status").selectOption("online");
  await page.waitForURL(/status=online/);
  await page.locator(`tr[data-collector="${config.gone.id}"]`).waitFor({ state: "detached" });
  await keep.waitFor();
  await page.getByLabel("Status").selectOption("");

  await page.getByRole("button", { name: "New enrolment token" }).click();
  await page.getByLabel("Note").fill("ui test hosts");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = page.getByRole("status").filter({ hasText: "shown once" }).locator("code");
  await token.waitFor();
  findings.measures.enrolment_token = await token.textContent();
  await visit(page, "collectors-enrol");
  await page.getByRole("button", { name: "Done" }).click();
  assert.equal(await page.getByText(findings.measures.enrolment_token).count(), 0, "the token is shown once");

  await page.getByRole("link", { name: config.gone.name }).click();
  await page.getByRole("heading", { name: config.gone.name }).waitFor();
  await page.getByTestId("collector-config").getByText("Config, version 1").waitFor();
  await visit(page, "collector-detail");
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("heading", { name: "Collectors" }).waitFor();
  await keep.waitFor();
  assert.equal(await page.locator(`tr[data-collector="${config.gone.id}"]`).count(), 0);
}

async function viewer(browser) {
  const { page } = await openPage(browser, { width: 390 });
  await signIn(page, config.viewer.username, config.viewer.password);
  await page.goto(`${config.base}/series/pg_up?match%5Bserver%5D=${serverId}&range=1h`);
  await page.locator(".m-chart canvas").first().waitFor();
  await visit(page, "viewer-chart-390");

  await page.goto(`${config.base}/alerts?view=rules`);
  await page.locator('tr[data-rule="pg is up"]').waitFor();
  for (const name of ["New rule", /^Edit /, /^Disable /, /^Enable /, /^Delete /])
    assert.equal(await page.getByRole("button", { name }).count(), 0, `a viewer has no ${name} button`);
  await visit(page, "viewer-rules-390");

  await page.goto(findings.measures.alert_url);
  await page.getByTestId("acknowledgement").waitFor();
  assert.equal(await page.getByRole("button", { name: "Acknowledge" }).count(), 0);
  assert.equal(await page.getByLabel("Comment").count(), 0);
  await visit(page, "viewer-alert-390");

  await page.goto(`${config.base}/collectors`);
  await page.locator(`tr[data-collector="${config.keep.id}"]`).waitFor();
  assert.equal(await page.getByRole("button", { name: "New enrolment token" }).count(), 0);
  await visit(page, "viewer-collectors-390");
  await page.getByRole("link", { name: config.keep.name }).click();
  await page.getByTestId("collector-config").waitFor();
  assert.equal(await page.getByRole("button", { name: "Delete" }).count(), 0);
}

await run(async (browser) => {
  const { page } = await openPage(browser);
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, "admin", config.password);
  await chart(page);
  await alerts(page);
  await collectors(page);
  await viewer(browser);
});
