// SSH keys through the UI against a real sshd: generate a key, download its public part, deploy it to a server and
// see "added" (and the line in the sshd user's authorized_keys), revoke it and see "removed"; rename it; import a
// key by paste (a refused paste shows the server's reason at the field) and by file upload; a key a server logs in
// with lists that server and its delete is refused with the reason; an unused key is deleted; the list pages with
// "Load more". At 390 px the list and a key stay usable; a viewer sees no generate/import/deploy/revoke/delete.
import fs from "node:fs";
import { assert, config, findings, openPage, run, shot, signIn, until, visit } from "./harness.mjs";

const authorized = () => (fs.existsSync(config.authorized_keys) ? fs.readFileSync(config.authorized_keys, "utf8") : "");
const publicKeyOf = async (page) => (await page.locator("[data-role=public-key]").textContent()).trim();
const keyIdOf = (page) => new URL(page.url()).pathname.split("/").pop();

async function resultFor(page, server, result) {
  const row = page.locator(".key-task tbody tr", { hasText: server });
  await row.locator(".key-result", { hasText: result }).waitFor({ timeout: 30000 });
  await page.locator(".key-task[data-state=succeeded]").waitFor({ timeout: 30000 });
  return (await row.locator(".key-result").textContent()).trim();
}

async function listAndGenerate(page) {
  await signIn(page, "admin", config.password, { path: "/keys" });
  await page.getByRole("heading", { name: "SSH keys" }).waitFor();
  const rows = page.locator("table tbody tr");
  await rows.first().waitFor();
  assert.equal(await rows.count(), 50, "the first page holds 50 keys");
  await visit(page, "keys-list");
  await page.getByRole("button", { name: "Load more" }).click();
  await until(page, () => document.querySelectorAll("table tbody tr").length > 50, undefined, 30000);
  findings.measures.listed_after_more = await rows.count();

  await page.getByRole("button", { name: "Generate a key" }).click();
  await page.getByRole("heading", { name: "Generate a key" }).waitFor();
  await page.getByRole("button", { name: "Generate", exact: true }).click();
  await page.locator(".field-error", { hasText: "Required." }).waitFor();
  assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
  await page.getByLabel("Name", { exact: true }).fill(config.gen_name);
  await page.getByLabel("Type").selectOption("rsa");
  await page.getByLabel("Bits").waitFor();
  await page.getByLabel("Type").selectOption("ed25519");
  await page.getByLabel("Comment").fill("ui@keys");
  await visit(page, "keys-generate");
  await page.getByRole("button", { name: "Generate", exact: true }).click();
  await page.getByRole("heading", { name: config.gen_name }).waitFor();
  const line = await publicKeyOf(page);
  assert.match(line, /^ssh-ed25519 \S+ ui@keys$/);
  findings.measures.generated = { id: keyIdOf(page), public_key: line };
  await visit(page, "keys-detail");
}

// Seconds each step took, in the report.
async function timed(name, body) {
  const started = Date.now();
  await body();
  findings.measures.seconds = { ...findings.measures.seconds, [name]: (Date.now() - started) / 1000 };
}

async function download(page) {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download public key" }).click(),
  ]);
  const text = fs.readFileSync(await file.path(), "utf8");
  findings.measures.download = { name: file.suggestedFilename(), text };
  assert.equal(file.suggestedFilename(), `${config.gen_name}.pub`);
  assert.equal(text.trim(), findings.measures.generated.public_key);
}

async function deployAndRevoke(page) {
  const line = findings.measures.generated.public_key;
  await page.getByLabel("Find a server").fill(config.server_name);
  await page.getByLabel(config.server_name).check();
  await page.getByRole("button", { name: "Deploy to 1 server" }).click();
  assert.equal(await resultFor(page, config.server_name, "added"), "added");
  assert.ok(authorized().split("\n").includes(line), "the key line is in authorized_keys after the deploy");
  const taskLink = page.locator(".key-task").getByRole("link", { name: "Open the task" });
  findings.measures.deploy_task = (await taskLink.getAttribute("href")).split("/").pop();
  await visit(page, "keys-deployed");

  await page.getByRole("button", { name: "Revoke from 1 server" }).click();
  await page.locator(`.key-task:not([data-task="${findings.measures.deploy_task}"])`).waitFor();
  assert.equal(await resultFor(page, config.server_name, "removed"), "removed");
  assert.ok(!authorized().includes(line.split(" ")[1]), "the key is gone from authorized_keys after the revoke");
  const revokeLink = page.locator(".key-task").getByRole("link", { name: "Open the task" });
  findings.measures.revoke_task = (await revokeLink.getAttribute("href")).split("/").pop();
  await revokeLink.click();
  await page.getByRole("heading", { name: "Task revoke_key" }).waitFor();
  await page.goBack();
  await page.getByRole("heading", { name: config.gen_name }).waitFor();
}

async function rename(page) {
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Name", { exact: true }).fill(`${config.gen_name}-renamed`);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("heading", { name: `${config.gen_name}-renamed` }).waitFor();
}

// Through the navigation, as a user goes (a second full load of one URL is also a 304 revalidation: see the report).
async function openImport(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "SSH keys" }).click();
  await page.getByRole("button", { name: "Import a key" }).click();
  await page.getByRole("heading", { name: "Import a key" }).waitFor();
}

async function importByPaste(page) {
  await openImport(page);
  await page.getByLabel("Name", { exact: true }).fill(config.paste_name);
  await page.getByLabel("Key", { exact: true }).fill("ssh-ed25519 not-a-key");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const fieldError = page.locator(".field.invalid .field-error", { hasText: "not a valid public key" });
  await fieldError.waitFor();
  await visit(page, "keys-import-refused");
  await page.getByLabel("Key", { exact: true }).fill(config.paste_public);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("heading", { name: config.paste_name }).waitFor();
  assert.equal(await page.locator("[data-role=fingerprint]").textContent(), config.paste_fingerprint);
  await page.getByText("not stored: public key only").waitFor();
  findings.measures.pasted = keyIdOf(page);
}

async function importByFile(page) {
  await openImport(page);
  await page.getByLabel("Name", { exact: true }).fill(config.upload_name);
  await page.getByLabel("From").selectOption("file");
  await page.getByLabel("Key file").setInputFiles(config.upload_private);
  await page.getByLabel("Comment").fill("uploaded@ui");
  await visit(page, "keys-import-file");
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("heading", { name: config.upload_name }).waitFor();
  assert.equal(await page.locator("[data-role=fingerprint]").textContent(), config.upload_fingerprint);
  await page.getByText("stored (encrypted), never shown").waitFor();
  assert.match(await publicKeyOf(page), / uploaded@ui$/);
  findings.measures.uploaded = keyIdOf(page);
}

async function usedAndDeleted(page) {
  await page.goto(`${config.base}/keys/${config.used_key_id}`);
  const servers = page.getByRole("region", { name: "Servers using this key" });
  await servers.getByRole("link", { name: config.used_server_name }).waitFor();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const refusal = page.locator(".key-delete-error");
  await refusal.waitFor();
  const detail = await refusal.textContent();
  assert.match(detail, /log in with this key/);
  assert.ok(detail.includes(config.used_server_name), detail);
  findings.measures.delete_refused = detail;
  await visit(page, "keys-used");

  await page.goto(`${config.base}/keys/${findings.measures.pasted}`);
  await page.getByRole("heading", { name: config.paste_name }).waitFor();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("heading", { name: "SSH keys" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/keys");
}

async function narrow(browser) {
  const { context, page } = await openPage(browser, { width: 390 });
  await signIn(page, "admin", config.password, { path: "/keys" });
  await page.locator("table tbody tr").first().waitFor();
  await visit(page, "keys-list-390");
  await page.goto(`${config.base}/keys/${config.used_key_id}`);
  await page.getByRole("region", { name: "Servers using this key" }).getByRole("link").first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the key page is ${overflow} px wider than the screen`);
  await visit(page, "keys-detail-390");
  await context.close();
}

async function viewer(browser) {
  const { context, page } = await openPage(browser);
  await signIn(page, config.viewer.username, config.viewer.password, { path: "/keys" });
  await page.locator("table tbody tr").first().waitFor();
  for (const name of ["Generate a key", "Import a key"]) {
    assert.equal(await page.getByRole("button", { name }).count(), 0, `a viewer sees ${name}`);
  }
  await page.goto(`${config.base}/keys/${config.used_key_id}`);
  await page.getByRole("region", { name: "Servers using this key" }).getByRole("link").first().waitFor();
  await page.getByRole("button", { name: "Download public key" }).waitFor();
  for (const name of ["Rename", "Delete", "Revoke from 0 servers", "Deploy to 0 servers"]) {
    assert.equal(await page.getByRole("button", { name }).count(), 0, `a viewer sees ${name}`);
  }
  assert.equal(await page.getByRole("heading", { name: "Deploy or revoke" }).count(), 0);
  await visit(page, "keys-viewer");
  await context.close();
}

await run(async (browser) => {
  const { context, page } = await openPage(browser);
  page.on("dialog", (dialog) => dialog.accept());
  try {
    const steps = [listAndGenerate, download, deployAndRevoke, rename, importByPaste, importByFile, usedAndDeleted];
    for (const step of steps) {
      await timed(step.name, () => step(page));
    }
  } catch (error) {
    // What the page showed when a step failed, for the report.
    await shot(page, "keys-failure").catch(() => {});
    throw error;
  }
  await context.close();
  await timed("narrow", () => narrow(browser));
  await timed("viewer", () => viewer(browser));
});
