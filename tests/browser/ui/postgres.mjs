// The PostgreSQL page against a real PostgreSQL: the list shows only servers with an endpoint; the server page's
// link leads to the server's activity, where a blocked session is highlighted with its blocker's pid; a session
// started meanwhile appears without a reload, and the admin cancels its query; while paused nothing is asked, and a
// refused terminate shows the problem's detail; the admin terminates the blocker through the UI; server and database
// statistics render; an unreachable PostgreSQL is explained; a viewer at 390 px sees the activity without cancel or
// terminate buttons.
import fs from "node:fs";
import path from "node:path";
import { request } from "playwright-core";
import { assert, config, findings, openPage, run, signIn, visit } from "./harness.mjs";

const { server, down, nopg, holder, waiter } = config;
const row = (page, pid) => page.locator(`tr[data-pid="${pid}"]`);

/// An admin's API client of its own (its own cookies: the browser's session is left alone).
async function adminApi() {
  const client = await request.newContext({ baseURL: config.base });
  const login = await client.post("/api/v1/auth/login", { data: config.admin });
  assert.equal(login.status(), 200, await login.text());
  const token = (await login.json()).access_token;
  return { client, headers: { Authorization: `Bearer ${token}` } };
}

async function listAndLink(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "PostgreSQL" }).click();
  await page.getByRole("heading", { name: "PostgreSQL", exact: true }).waitFor();
  await page.getByRole("link", { name: server.name }).waitFor();
  assert.equal(await page.getByRole("link", { name: down.name }).count(), 1, "the unreachable one is listed too");
  assert.equal(await page.getByText(nopg).count(), 0, "a server without an endpoint is not listed");
  await visit(page, "postgres-list");
  // The server page's link (/postgres?server=ID) lands on that server's view.
  await page.goto(`${config.base}/servers/${server.id}`);
  await page.getByRole("heading", { name: server.name }).waitFor();
  await page.getByRole("link", { name: "PostgreSQL", exact: true }).last().click();
  await page.getByRole("heading", { name: `PostgreSQL on ${server.name}` }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/postgres/${server.id}`);
}

async function blocking(page) {
  const blocked = page.locator(`tr.blocked[data-pid="${waiter}"]`);
  const blocker = page.locator(`tr.blocker[data-pid="${holder}"]`);
  await blocked.waitFor({ timeout: 20000 });
  await blocker.waitFor();
  assert.match(await blocked.textContent(), new RegExp(`blocked by\\s*${holder}`));
  assert.match(await blocker.textContent(), new RegExp(`blocks\\s*${waiter}`));
  const summary = await page.locator(".pg-blocking").textContent();
  assert.match(summary, new RegExp(`session ${waiter} waits for\\s*${holder}`));
  // The blocker comes right above the session it blocks.
  const order = await page.locator("tbody tr[data-pid]").evaluateAll((rows) => rows.map((r) => Number(r.dataset.pid)));
  assert.equal(order.indexOf(waiter), order.indexOf(holder) + 1, `rows in order ${order}`);
  await visit(page, "postgres-activity");
}

async function updatesItself(page) {
  await page.evaluate(() => {
    window.__samePage = true;
  });
  fs.writeFileSync(path.join(config.signal_dir, "ready"), "");
  const late = page.locator("tr[data-pid]", { hasText: "e2e-ui-late" });
  await late.waitFor({ timeout: 30000 });
  assert.equal(await page.evaluate(() => window.__samePage), true, "the page was not reloaded");
  return Number(await late.getAttribute("data-pid"));
}

/// The admin cancels the late session's pg_sleep from its row: the page says so, and the next refresh shows the
/// session still connected, now idle.
async function cancelQuery(page, latePid) {
  page.once("dialog", (d) => {
    findings.measures.cancel_confirm = d.message();
    d.accept();
  });
  await page.getByRole("button", { name: `Cancel the query of session ${latePid}` }).click();
  await page.getByText(`The query of session ${latePid} was cancelled.`).waitFor({ timeout: 20000 });
  assert.match(findings.measures.cancel_confirm, new RegExp(`Cancel the running query of session ${latePid}`));
  await row(page, latePid).locator(".badge", { hasText: /^idle$/ }).waitFor({ timeout: 20000 });
  findings.measures.cancelled = latePid;
  await page.getByRole("button", { name: "Dismiss" }).click();
}

async function pauseAndRefusal(page, latePid) {
  let asked = 0;
  const count = (r) => {
    if (r.url().includes("/postgres/activity")) asked += 1;
  };
  await page.getByRole("button", { name: "Pause" }).click();
  await page.locator('.pg-live[data-state="paused"]').waitFor();
  await page.waitForLoadState("networkidle");
  page.on("request", count);
  // The session ends behind the page's back: the paused table still shows it, and terminating it is refused.
  const { client, headers } = await adminApi();
  const terminate = `/api/v1/servers/${server.id}/postgres/sessions/${latePid}/terminate`;
  const ended = await client.post(terminate, { headers });
  assert.equal(ended.status(), 200, await ended.text());
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: `Terminate session ${latePid}` }).click();
  const refusal = page.locator(".pg-outcome[role=alert]");
  await refusal.waitFor();
  const text = (await refusal.textContent()).replace(/\s+/g, " ").trim();
  // The same call again through the API: the page shows the server's own problem detail, word for word.
  const again = await client.post(terminate, { headers });
  assert.ok(again.status() >= 400, `${again.status()} ${await again.text()}`);
  const { detail } = await again.json();
  await client.dispose();
  assert.ok(typeof detail === "string" && detail.length > 0, `problem detail: ${JSON.stringify(detail)}`);
  assert.ok(text.includes(`Terminate of session ${latePid} refused: ${detail}`), `shown: ${text}; detail: ${detail}`);
  assert.ok(!text.includes("[object"), `shown: ${text}`);
  findings.measures.refusal = text;
  findings.measures.refused = { pid: latePid, detail };
  await page.waitForTimeout(6000); // a turn and more of the 5 s refresh: none may happen while paused
  assert.equal(asked, 0, "activity was asked for while paused");
  assert.equal(await row(page, latePid).count(), 1, "the paused table changed");
  await page.getByRole("button", { name: "Dismiss" }).click();
  await page.getByRole("button", { name: "Resume" }).click();
  await row(page, latePid).waitFor({ state: "detached", timeout: 20000 });
  page.off("request", count);
  assert.ok(asked >= 1, "resuming asked again");
}

async function terminateBlocker(page) {
  page.once("dialog", (d) => {
    findings.measures.confirm = d.message();
    d.accept();
  });
  await page.getByRole("button", { name: `Terminate session ${holder}` }).click();
  await page.getByText(`Session ${holder} was terminated.`).waitFor({ timeout: 20000 });
  await row(page, holder).waitFor({ state: "detached", timeout: 20000 });
  // The session it blocked got its lock and went on.
  await page.locator("tr.blocked").first().waitFor({ state: "detached", timeout: 20000 });
  assert.match(findings.measures.confirm, new RegExp(`Terminate session ${holder}`));
}

async function statistics(page) {
  await page.getByRole("button", { name: "Server statistics" }).click();
  await page.getByRole("heading", { name: "Server statistics" }).waitFor();
  await page.getByText(/PostgreSQL 15/).waitFor({ timeout: 20000 });
  assert.equal(await page.getByRole("rowheader", { name: "appdb" }).count(), 1);
  assert.match(new URL(page.url()).search, /view=stats/);
  await visit(page, "postgres-stats");

  await page.getByRole("button", { name: "Databases" }).click();
  await page.getByRole("button", { name: "Statistics of appdb" }).click();
  await page.getByRole("heading", { name: "Database appdb" }).waitFor();
  const statements = page.getByRole("table", { name: "Top statements" });
  await statements.waitFor({ timeout: 20000 });
  await statements.locator("code", { hasText: "accounts" }).first().waitFor();
  const tables = page.getByRole("table", { name: "Tables" });
  assert.equal(await tables.getByText("public.accounts").count(), 1);
  await page.getByRole("table", { name: "Unused indexes" }).getByText("accounts_n_a").waitFor();
  const duplicates = page.getByRole("table", { name: "Duplicate indexes" });
  await duplicates.getByText(/accounts_n_a, accounts_n_b|accounts_n_b, accounts_n_a/).waitFor();
  await page.getByLabel("Order by").selectOption("calls");
  await page.waitForURL(/order=calls/);
  await statements.locator("code").first().waitFor();
  const calls = await statements.locator("tbody tr td:nth-child(2)").allTextContents();
  const values = calls.map((c) => Number(c.replace(/\D/g, "")));
  assert.deepEqual(values, [...values].sort((a, b) => b - a), "ordered by calls");
  assert.match(new URL(page.url()).search, /db=appdb/);
  await visit(page, "postgres-database");
}

async function unreachable(page) {
  await page.goto(`${config.base}/postgres/${down.id}`);
  const error = page.locator('.pg-error[data-kind="unreachable"]');
  await error.waitFor({ timeout: 30000 });
  assert.match(await error.textContent(), /PostgreSQL cannot be reached/);
  await visit(page, "postgres-unreachable");
}

async function viewer(browser) {
  const { context, page } = await openPage(browser, { width: 390, height: 844 });
  await signIn(page, config.viewer.username, config.viewer.password, { path: `/postgres/${server.id}` });
  await page.getByRole("heading", { name: `PostgreSQL on ${server.name}` }).waitFor();
  await page.locator(`tr[data-pid="${waiter}"]`).waitFor({ timeout: 20000 });
  assert.equal(await page.getByRole("button", { name: /^Terminate session/ }).count(), 0);
  assert.equal(await page.getByRole("button", { name: /^Cancel the query/ }).count(), 0);
  assert.equal(await page.getByRole("columnheader", { name: "Actions" }).count(), 0);
  await visit(page, "postgres-viewer-390");
  await page.goto(`${config.base}/postgres`);
  await page.getByRole("link", { name: server.name }).waitFor();
  await visit(page, "postgres-list-390");
  await context.close();
}

await run(async (browser) => {
  const { page } = await openPage(browser);
  await signIn(page, config.admin.username, config.admin.password);
  await listAndLink(page);
  await blocking(page);
  const late = await updatesItself(page);
  await cancelQuery(page, late);
  await pauseAndRefusal(page, late);
  await terminateBlocker(page);
  await statistics(page);
  await unreachable(page);
  await viewer(browser);
});
