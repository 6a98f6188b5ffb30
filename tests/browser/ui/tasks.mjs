// A task's page beyond the first use: ANSI colours drawn as classes, bytes that are not UTF-8 shown with
// replacement characters and a note (never as markup), auto-scroll that stops when the user scrolls up and comes
// back with "Follow", cancel, the raw log downloaded, and the task history filtered by state.
import fs from "node:fs";
import path from "node:path";
import { assert, config, findings, openPage, run, signIn, visit } from "./harness.mjs";

const atBottom = (page) =>
  page.evaluate(() => {
    const el = document.querySelector("pre.output");
    return el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
  });

await run(async (browser) => {
  const { page } = await openPage(browser);
  await signIn(page, "admin", config.password, { path: `/tasks/new?targets=${config.server_id}` });
  await page.getByLabel("Command").fill(config.command);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const pane = page.locator("pre.output").first();
  await pane.getByText("line 400").waitFor({ timeout: 20000 });

  // Colours are classes; the markup in the output is text.
  await pane.locator("span.ansi-red-fg", { hasText: "red" }).waitFor();
  await pane.locator("span.ansi-green-fg.ansi-bold", { hasText: "bold green" }).waitFor();
  const shown = await pane.evaluate((el) => ({
    text: el.textContent,
    elements: [...el.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()).filter((t) => t !== "span" && t !== "div"),
    note: el.querySelector(".note")?.textContent || "",
  }));
  findings.measures.binary = { note: shown.note, elements: shown.elements };
  assert.ok(shown.text.includes("<b>not markup</b>"), "markup in the output is shown as text");
  assert.deepEqual(shown.elements, [], "only text and spans inside the pane");
  assert.ok(shown.text.includes("\ufffd"), "bytes that are not UTF-8 become replacement characters");
  assert.match(shown.note, /not UTF-8/);
  assert.ok(await atBottom(page), "the pane follows the output");
  await visit(page, "task-live");

  // The user scrolls up: the pane stays where they are while output goes on, until they follow again.
  await pane.hover();
  await page.mouse.wheel(0, -3000);
  await page.getByRole("button", { name: "Follow" }).waitFor();
  await pane.getByText("more 200").waitFor({ timeout: 20000 });
  assert.equal(await atBottom(page), false, "new output pulled the user back down");
  await page.getByRole("button", { name: "Follow" }).click();
  assert.ok(await atBottom(page), "Follow goes to the newest output");

  // The raw log, as the server stored it.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /Download the raw log/ }).click(),
  ]);
  const saved = path.join(config.download_dir, "raw.log");
  await download.saveAs(saved);
  findings.measures.raw_log_bytes = fs.statSync(saved).size;

  // Cancel while it sleeps.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await page.locator(".pane .badge", { hasText: "cancelled" }).waitFor({ timeout: 20000 });
  await page.locator("dd .badge", { hasText: "cancelled" }).waitFor({ timeout: 20000 });

  // History: filtered on the server by state, the filter in the URL.
  await page.getByRole("link", { name: "All tasks" }).click();
  await page.getByLabel("State").selectOption("cancelled");
  await page.waitForURL(/state=cancelled/);
  await page.locator("tbody tr").first().waitFor();
  const states = await page.locator("tbody tr .badge").allTextContents();
  assert.ok(states.length >= 1 && states.every((s) => s === "cancelled"), JSON.stringify(states));
  await visit(page, "tasks-cancelled");
  await page.getByLabel("State").selectOption("succeeded");
  await page.getByText("No task matches.").waitFor();
});
