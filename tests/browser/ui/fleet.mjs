// The fleet pages beyond the first use: a host key that changed, shown with both fingerprints and accepted by an
// admin from the UI; editing a server with the server's field error shown next to its field; filters kept in the
// URL; the pages at 390 px and in the dark theme (its colours checked against the light one's); an admin deletes a
// server from its page.
import { assert, config, findings, openPage, run, signIn, visit, writesDuring } from "./harness.mjs";

await run(async (browser) => {
  const { page } = await openPage(browser);
  await signIn(page, "admin", config.password, { path: `/servers/${config.server_id}` });
  await page.getByRole("heading", { name: config.server_name }).waitFor();

  // The sshd now presents another host key: test SSH says so, the page shows both fingerprints.
  await page.getByRole("button", { name: "Test SSH" }).click();
  await page.getByText("SSH failed (host key mismatch)").waitFor({ timeout: 20000 });
  await page.getByRole("heading", { name: "Host key changed" }).waitFor();
  const pinned = await page.locator("code[data-role=pinned]").textContent();
  const presented = await page.locator("code[data-role=presented]").textContent();
  findings.measures.host_keys = { pinned, presented };
  assert.equal(pinned, config.old_fingerprint);
  assert.equal(presented, config.new_fingerprint);
  await visit(page, "server-host-key-changed");
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Accept the new key" }).click();
  await page.getByRole("heading", { name: "Host key changed" }).waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Test SSH" }).click();
  await page.getByText("SSH works").waitFor({ timeout: 20000 });
  assert.ok((await page.getByText("SSH works").textContent()).includes(config.new_fingerprint));

  // Edit: a taken name is refused by the server and the message sits by the name field.
  await page.getByRole("link", { name: "Edit" }).click();
  await page.getByRole("heading", { name: `Edit ${config.server_name}` }).waitFor();
  await page.getByLabel("Name").fill(config.other_name);
  await page.getByLabel("Tags").fill("web eu-west");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("alert").first().waitFor();
  const nameError = page.locator(".field.invalid").filter({ has: page.getByLabel("Name") });
  await nameError.waitFor();
  findings.measures.name_error = await nameError.locator(".field-error").textContent();
  await visit(page, "server-edit-error");
  // The browser's own check: a port out of range is refused before anything is sent.
  await page.getByLabel("SSH port").fill("70000");
  const sent = await writesDuring(page, async () => {
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("A port from 1 to 65535.").waitFor();
  });
  assert.deepEqual(sent, [], "a port out of range was sent to the server");
  await page.getByLabel("SSH port").fill(String(config.sshd_port));
  await page.getByLabel("Name").fill(config.server_name);
  const saved = await writesDuring(page, async () => {
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: config.server_name }).waitFor();
  });
  assert.deepEqual(saved, [`PATCH /api/v1/servers/${config.server_id}`], "a valid edit is sent, once");

  // Filters on the server, in the URL.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Servers" }).click();
  await page.getByLabel("Tag").fill("eu-west");
  await page.getByLabel("Tag").press("Enter");
  await page.waitForURL(/tag=eu-west/);
  await page.locator("tbody tr").first().waitFor();
  const names = await page.locator("tbody tr td:first-child").allTextContents();
  assert.deepEqual(names, [config.server_name]);
  await page.reload();
  await page.locator("tbody tr").first().waitFor();
  assert.deepEqual(await page.locator("tbody tr td:first-child").allTextContents(), [config.server_name]);

  // A filter whose first load fails shows the error, not the rows of the filter before it, and "Try again" asks
  // for the first page of that same filter.
  const taggedWeb = (url) => url.pathname === "/api/v1/servers" && url.searchParams.get("tag") === "web";
  const problem = { title: "Service Unavailable", status: 503, detail: "the store is unavailable right now" };
  await page.route(taggedWeb, (route) =>
    route.fulfill({ status: 503, contentType: "application/problem+json", body: JSON.stringify(problem) }),
  );
  await page.getByLabel("Tag").fill("web");
  await page.getByLabel("Tag").press("Enter");
  await page.getByText(problem.detail).waitFor();
  assert.equal(await page.locator("tbody tr").count(), 0, "the rows of the filter before stay under the error");
  await page.unroute(taggedWeb);
  const asked = page.waitForRequest((r) => taggedWeb(new URL(r.url())));
  await page.getByRole("button", { name: "Try again" }).click();
  assert.equal(new URL((await asked).url()).searchParams.get("cursor"), null, "the retry asks for the first page");
  await page.locator("tbody tr").first().waitFor();
  assert.deepEqual(await page.locator("tbody tr td:first-child").allTextContents(), [config.server_name]);

  // 390 px, dark: the navigation folds behind a menu button; pages still work.
  const narrow = await openPage(browser, { width: 390, height: 844, colorScheme: "dark" });
  await signIn(narrow.page, "admin", config.password, { path: "/servers" });
  await narrow.page.getByRole("heading", { name: "Servers" }).waitFor();
  assert.equal(await narrow.page.getByRole("navigation", { name: "Main" }).isVisible(), false);
  await visit(narrow.page, "servers-390-dark");
  await narrow.page.getByRole("button", { name: "Menu" }).click();
  await narrow.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await narrow.page.getByRole("heading", { name: "Dashboard" }).waitFor();
  // The dashboard counts the fleet by status and the failed logins of the last hour (pytest made one).
  const counts = await narrow.page.locator(".stats a.stat[href^='/servers'] strong").allTextContents();
  assert.equal(counts.reduce((sum, c) => sum + Number(c), 0), config.servers, JSON.stringify(counts));
  const failed = Number(await narrow.page.locator("[data-testid=failed-logins]").textContent());
  findings.measures.dashboard = { counts, failed };
  assert.ok(failed >= 1, `failed logins shown: ${failed}`);
  await visit(narrow.page, "dashboard-390-dark");
  await narrow.page.goto(`${config.base}/servers/${config.server_id}`);
  await narrow.page.getByRole("heading", { name: config.server_name }).waitFor();
  await visit(narrow.page, "server-detail-390-dark");
  const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  findings.measures.horizontal_overflow_px = overflow;
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the 390 px screen`);
  // The theme follows the system setting: dark text on a light page, light text on a dark one.
  const [light, dark] = await Promise.all([page, narrow.page].map(colours));
  findings.measures.themes = { light, dark };
  assert.ok(light.background > 0.7 && light.text < 0.3, `light theme: ${JSON.stringify(light)}`);
  assert.ok(dark.background < 0.3 && dark.text > 0.7, `dark theme: ${JSON.stringify(dark)}`);

  // The admin deletes the other server from its page, after a confirmation that names it.
  await page.goto(`${config.base}/servers/${config.other_id}`);
  await page.getByRole("heading", { name: config.other_name }).waitFor();
  page.once("dialog", (dialog) => {
    findings.measures.delete_confirm = dialog.message();
    dialog.accept();
  });
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.waitForURL((url) => url.pathname === "/servers");
  await page.getByRole("heading", { name: "Servers" }).waitFor();
  assert.equal(findings.measures.delete_confirm, `Delete ${config.other_name} and its stored secrets?`);
  await page.getByRole("link", { name: config.server_name }).waitFor();
  assert.equal(await page.getByRole("link", { name: config.other_name }).count(), 0, "the deleted server is listed");
});

/// The relative luminance (0 black … 1 white) of the body's background and text colours.
function colours(page) {
  return page.evaluate(() => {
    const luminance = (colour) => {
      const [r, g, b] = colour.match(/[\d.]+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return Math.round((0.2126 * r + 0.7152 * g + 0.0722 * b) * 1000) / 1000;
    };
    const style = getComputedStyle(document.body);
    return { background: luminance(style.backgroundColor), text: luminance(style.color) };
  });
}
