// Sign-in, renewal and the end of a session, and what a viewer is shown. The server runs with 30-second access
// tokens: the page renews its token through the refresh cookie without the user noticing; a reload keeps the
// session (the token lives in memory only, the cookie restores it); a session the server ended sends the user to
// the login page and, after signing in again, back to the page they were on; logout ends it for good. A renewal that
// cannot reach the server does not end the session, and two tabs renewing at once do not end it either.
import { assert, config, findings, openPage, run, visit } from "./harness.mjs";

async function signInForm(page, username, password) {
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

await run(async (browser) => {
  const { page } = await openPage(browser);
  const refreshes = [];
  page.on("response", (r) => r.url().endsWith("/api/v1/auth/refresh") && refreshes.push(r.status()));

  // A deep link while signed out: the login page, then that page.
  await page.goto(`${config.base}/servers/${config.server_id}`);
  await page.getByRole("heading", { name: "Sign in to gatehouse" }).waitFor();
  await signInForm(page, config.viewer.username, config.viewer.password);
  await page.getByRole("heading", { name: config.server_name }).waitFor();
  assert.ok(page.url().endsWith(`/servers/${config.server_id}`), page.url());

  // A viewer sees no control it may not use.
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const absent of ["Users", "Audit"]) assert.equal(await nav.getByRole("link", { name: absent }).count(), 0, absent);
  for (const name of ["Test SSH", "Delete"]) assert.equal(await page.getByRole("button", { name }).count(), 0, name);
  for (const name of ["Edit", "Run a command"]) assert.equal(await page.getByRole("link", { name }).count(), 0, name);
  await visit(page, "viewer-server-detail");
  await nav.getByRole("link", { name: "Servers" }).click();
  await page.getByRole("heading", { name: "Servers" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Add a server" }).count(), 0);
  await nav.getByRole("link", { name: "Tasks" }).click();
  await page.getByRole("heading", { name: "Tasks" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Run a command" }).count(), 0);
  await visit(page, "viewer-tasks");
  // The API refuses what the UI hides: a viewer's page reaching an operator route shows "Not for your role".
  await page.goto(`${config.base}/servers/new`);
  await page.getByRole("heading", { name: "Not for your role" }).waitFor();

  // Renewal: the token lives 30 s; after 32 s pages still load, through renewals with the cookie. While the server
  // cannot be reached for a renewal (a network blip) the session is not ended: the page says what failed and goes on
  // once it can renew again.
  const before = refreshes.length;
  const blocked = "**/api/v1/auth/refresh";
  await page.route(blocked, (route) => route.abort("connectionfailed"));
  await page.waitForTimeout(32000);
  await nav.getByRole("link", { name: "Servers" }).click();
  await page.getByRole("heading", { name: "Servers" }).waitFor();
  await page.locator(".error").first().waitFor({ timeout: 15000 });
  assert.equal(await page.getByRole("heading", { name: "Sign in to gatehouse" }).count(), 0);
  await page.unroute(blocked);
  await nav.getByRole("link", { name: "Tasks" }).click();
  await page.getByRole("heading", { name: "Tasks" }).waitFor();
  await nav.getByRole("link", { name: "Servers" }).click();
  await page.getByRole("link", { name: config.server_name }).waitFor();
  assert.ok(refreshes.slice(before).filter((s) => s === 200).length >= 1, `renewals: ${refreshes}`);
  assert.equal(await page.getByRole("heading", { name: "Sign in to gatehouse" }).count(), 0);
  findings.measures.renewals = refreshes.slice(before);

  // A reload: the token was in memory only; the cookie brings the session back.
  await page.reload();
  await page.getByRole("heading", { name: "Servers" }).waitFor();
  assert.equal(await page.getByRole("heading", { name: "Sign in to gatehouse" }).count(), 0);

  // Two tabs restoring at the same moment share one refresh cookie: their renewals take turns (a cookie presented
  // twice is taken for theft and ends the session everywhere; pytest checks that the server saw no such reuse).
  const second = await page.context().newPage();
  await Promise.all([page.reload(), second.goto(`${config.base}/servers`)]);
  for (const tab of [page, second]) await tab.getByRole("heading", { name: "Servers" }).waitFor();
  await second.getByRole("link", { name: config.server_name }).waitFor();
  await nav.getByRole("link", { name: "Tasks" }).click();
  await page.getByRole("heading", { name: "Tasks" }).waitFor();
  for (const tab of [page, second]) {
    assert.equal(await tab.getByRole("heading", { name: "Sign in to gatehouse" }).count(), 0, "a tab was signed out");
  }
  await second.close();

  // The server ends the session (pytest disables and re-enables the user when told to through a file).
  await page.goto(`${config.base}/tasks?state=failed`);
  await page.getByRole("heading", { name: "Tasks" }).waitFor();
  const { writeFileSync, existsSync } = await import("node:fs");
  writeFileSync(config.end_session_request, "end");
  const deadline = Date.now() + 20000;
  while (!existsSync(config.end_session_done)) {
    assert.ok(Date.now() < deadline, "pytest did not end the session");
    await page.waitForTimeout(100);
  }
  await page.getByLabel("State").selectOption("succeeded");
  await page.getByRole("heading", { name: "Sign in to gatehouse" }).waitFor({ timeout: 15000 });
  await page.getByText("Your session has ended").waitFor();
  const next = new URL(page.url()).searchParams.get("next");
  assert.match(next, /^\/tasks\?state=/);
  await visit(page, "session-ended");
  await signInForm(page, config.viewer.username, config.viewer.password);
  await page.getByRole("heading", { name: "Tasks" }).waitFor();
  assert.ok(new URL(page.url()).pathname === "/tasks" && page.url().includes("state="), page.url());

  // Logout ends it: a reload stays on the login page.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("heading", { name: "Sign in to gatehouse" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Sign in to gatehouse" }).waitFor();
  await page.waitForTimeout(500);
  assert.equal(await page.getByRole("button", { name: "Log out" }).count(), 0);
});
