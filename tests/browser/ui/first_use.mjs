// A new user's first minutes: the login page loads small and fast, sign-in with the printed admin password, add a
// server (the sshd fixture), test SSH, run `uname -a` on it and watch the output arrive live. Every page on the way
// is scanned (axe-core), checked for CSP violations and photographed.
import { assert, config, findings, openPage, run, visit } from "./harness.mjs";

async function firstLoad(browser) {
  const { context, page } = await openPage(browser);
  await page.addInitScript(() => {
    // When the login form's first control exists: the app is interactive.
    new MutationObserver((_, observer) => {
      if (document.querySelector("input[autocomplete=username]")) {
        window.__interactive = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(config.base + "/");
  await page.getByLabel("User name").waitFor();
  await page.waitForLoadState("networkidle");
  const load = await page.evaluate(() => {
    const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
    return {
      transferred_bytes: entries.reduce((sum, e) => sum + e.transferSize, 0),
      decoded_bytes: entries.reduce((sum, e) => sum + e.decodedBodySize, 0),
      requests: entries.map((e) => e.name.replace(location.origin, "")),
      interactive_ms: Math.round(window.__interactive),
    };
  });
  findings.measures.first_load = load;
  assert.ok(load.transferred_bytes < 300 * 1024, `first load transferred ${load.transferred_bytes} bytes`);
  assert.ok(load.interactive_ms < 1000, `interactive after ${load.interactive_ms} ms`);
  await context.close();
}

await run(async (browser) => {
  await firstLoad(browser);
  const { page } = await openPage(browser);
  await page.goto(config.base + "/");
  await visit(page, "login");
  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password", { exact: true }).fill(config.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  await visit(page, "dashboard");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Servers" }).click();
  await page.getByRole("heading", { name: "Servers" }).waitFor();
  await page.getByRole("link", { name: "Add a server" }).click();
  await page.getByRole("heading", { name: "Add a server" }).waitFor();
  await visit(page, "server-new");
  await page.getByLabel("Name").fill("first-server");
  await page.getByLabel("Address").fill("127.0.0.1");
  await page.getByLabel("SSH port").fill(String(config.sshd.port));
  await page.getByLabel("SSH user").fill(config.sshd.user);
  await page.getByLabel("SSH password").fill(config.sshd.password);
  await page.getByRole("button", { name: "Add server" }).click();
  await page.getByRole("heading", { name: "first-server" }).waitFor();

  await page.getByRole("button", { name: "Test SSH" }).click();
  await page.getByText("SSH works").waitFor({ timeout: 20000 });
  await visit(page, "server-detail");

  await page.getByRole("link", { name: "Run a command" }).click();
  await page.getByRole("heading", { name: "Run a command" }).waitFor();
  await page.getByLabel("Command").fill("uname -a; echo started; sleep 2; echo finished");
  await visit(page, "task-new");
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const pane = page.locator("pre.output").first();
  // Live: the first line is there while the command still sleeps, before the task ends.
  await pane.getByText("started").waitFor({ timeout: 20000 });
  const whileRunning = await page.evaluate(() => ({
    output: document.querySelector("pre.output").textContent,
    state: document.querySelector(".pane .badge").textContent,
  }));
  findings.measures.while_running = whileRunning;
  assert.match(whileRunning.output, /Linux/);
  assert.ok(!whileRunning.output.includes("finished"), "the output came only at the end");
  // The target's state comes in its own message: it may still read "queued" for a moment; never an end.
  assert.ok(["queued", "running"].includes(whileRunning.state), whileRunning.state);
  await pane.getByText("finished").waitFor({ timeout: 20000 });
  await page.locator(".pane .badge", { hasText: "succeeded" }).waitFor({ timeout: 20000 });
  await visit(page, "task-detail");
});
