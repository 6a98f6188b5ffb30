// A task's page beyond the first use: ANSI colours drawn as classes, bytes that are not UTF-8 shown with
// replacement characters and a note (never as markup), auto-scroll that stops when the user scrolls up and comes
// back with "Follow", cancel, the raw log downloaded, and the task history filtered by state.
import fs from "node:fs";
import path from "node:path";
import { assert, config, findings, openPage, run, signIn, until, visit } from "./harness.mjs";

// Run in the page: whether the output pane shows its end.
const paneAtBottom = () => {
  const el = document.querySelector("pre.output");
  return el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
};
const atBottom = (page) => page.evaluate(paneAtBottom);

/// The pane's scrollTop once it has stopped moving (a wheel scroll may be animated).
async function settledScrollTop(pane) {
  let last = await pane.evaluate((el) => el.scrollTop);
  for (const started = Date.now(); Date.now() - started < 5000; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await pane.evaluate((el) => el.scrollTop);
    if (now === last) return now;
    last = now;
  }
  assert.fail(`the pane kept scrolling (scrollTop ${last})`);
}

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
  // The second piece arrives 300 ms later, in a message of its own, with no escape code in it.
  await pane.locator("span.ansi-magenta-fg", { hasText: "one piece to the next" }).waitFor({ timeout: 5000 });
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

  // The user scrolls up: the pane stays where they are while output goes on, until they follow again. The command
  // prints its "more" lines only once the go file exists (made here, after the scroll), so they come after it.
  await pane.hover();
  await page.mouse.wheel(0, -3000);
  await page.getByRole("button", { name: "Follow" }).waitFor();
  assert.doesNotMatch(await pane.textContent(), /more \d/, "the later output came before the scroll");
  const scrolledTo = await settledScrollTop(pane);
  assert.equal(await atBottom(page), false, "scrolling up left the bottom");
  fs.writeFileSync(config.go_file, "go");
  await pane.getByText("more 200").waitFor({ timeout: 20000 });
  assert.equal(await atBottom(page), false, "new output pulled the user back down");
  assert.equal(await pane.evaluate((el) => el.scrollTop), scrolledTo, "the pane moved while the user read");
  await page.getByRole("button", { name: "Follow" }).click();
  await until(page, paneAtBottom, undefined, 5000); // Follow goes to the newest output

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
