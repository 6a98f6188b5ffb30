// The audit page as an admin uses it: the events newest first, filters by outcome, actor and action that stay in
// the URL across a reload, a time range with nothing in it, "Load more" with a small page size, an event's details
// opened in place and on its own page, the daily chart; the same at 390 px; a browser in India shows an event's time
// in its zone (UTC+05:30) with the UTC value on hover. Then an operator and a viewer: no Audit link, and "Not for
// your role" at /audit. Events come from tests/e2e/test_ui_audit.py (config.alice ...).
import { assert, config, findings, openPage, run, signIn, visit } from "./harness.mjs";

/// The rows of the events table as the user sees them.
function readRows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("tr.audit-row")].map((tr) => ({
      id: tr.dataset.id,
      time: tr.querySelector("time")?.getAttribute("datetime"),
      actor: tr.querySelector("[data-col=actor]").textContent.trim(),
      action: tr.querySelector("[data-col=action]").textContent.trim(),
      resource: tr.querySelector("[data-col=resource]").textContent.trim(),
      outcome: tr.querySelector("[data-col=outcome]").textContent.trim(),
    })),
  );
}

/// Waits until the rows satisfy `check` (the table follows a filter change asynchronously); fails naming `what`.
async function waitRows(page, check, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let rows = [];
  while (Date.now() < deadline) {
    rows = await readRows(page);
    if (rows.length && check(rows)) return rows;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}: rows are ${JSON.stringify(rows.slice(0, 5))} (${rows.length})`);
}

function assertNewestFirst(rows) {
  const times = rows.map((r) => r.time);
  assert.deepEqual(times, [...times].sort().reverse(), "events are newest first");
}

const query = (page) => Object.fromEntries(new URL(page.url()).searchParams);

async function listAndFilters(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await page.getByRole("heading", { name: "Audit", exact: true }).waitFor();
  const all = await waitRows(page, (rows) => rows.length >= 20, "the first page of events");
  assertNewestFirst(all);
  assert.equal(all[0].actor, "admin", "the browser's own sign-in is the newest event");
  assert.equal(all[0].action, "auth.login");
  assert.ok(all.some((r) => r.actor === config.alice.username && r.outcome === "denied"), "alice's failed logins");
  // The daily chart: uPlot draws a canvas inside .chart, with the totals as text.
  await page.locator(".audit-stats .chart canvas").first().waitFor();
  const totals = await page.locator("[data-role=totals]").textContent();
  assert.ok(Number(totals.match(/\d[\d,.\s]*/)[0].replace(/\D/g, "")) >= all.length, `totals: ${totals}`);
  await visit(page, "audit-list");

  await page.getByLabel("Outcome").selectOption("failure");
  const onlyFailures = (r) => r.length === config.counts.failures && r.every((x) => x.outcome === "failure");
  let rows = await waitRows(page, onlyFailures, "only failures");
  assert.ok(rows.every((r) => r.action === "user.create"), "the refused user creations are the failures");
  assertNewestFirst(rows);
  assert.equal(query(page).outcome, "failure");
  await page.reload();
  await page.getByRole("heading", { name: "Audit", exact: true }).waitFor();
  rows = await waitRows(page, onlyFailures, "only failures after a reload");
  assert.equal(await page.getByLabel("Outcome").inputValue(), "failure", "the reload keeps the outcome filter");
  await visit(page, "audit-failures");

  await page.getByLabel("Outcome").selectOption("");
  await page.getByLabel("Actor").fill(config.alice.username);
  await page.getByLabel("Actor").press("Enter");
  const alice = config.alice.username;
  rows = await waitRows(page, (r) => r.length === config.counts.by_alice && r.every((x) => x.actor === alice),
    "only alice's events");
  assert.deepEqual(query(page), { actor: config.alice.username });
  assert.ok(rows.some((r) => r.outcome === "success") && rows.some((r) => r.outcome === "denied"));

  // A link with filters (as the dashboard makes) opens the page filtered; failed logins are recorded as denied.
  await page.goto(`${config.base}/audit?action=auth.login&outcome=denied`);
  rows = await waitRows(page, (r) => r.length === config.counts.failed_logins &&
    r.every((x) => x.action === "auth.login" && x.outcome === "denied"), "the failed logins");
  assert.equal(await page.getByLabel("Action").inputValue(), "auth.login");
  assert.equal(await page.getByLabel("Outcome").inputValue(), "denied");
}

async function timeRange(page) {
  await page.getByRole("button", { name: "Clear filters" }).click();
  await waitRows(page, (r) => r.length >= 20, "every event again");
  assert.deepEqual(query(page), {});
  // datetime-local in the browser's zone; the URL (and the API) get RFC 3339 UTC.
  await page.getByLabel("Since").fill("2020-01-01T00:00");
  await page.getByLabel("Until (before)").fill("2020-01-02T12:30");
  await page.getByText("No audit event matches these filters.").waitFor();
  await page.getByText("No events in this time range.").waitFor();
  const expected = await page.evaluate(() =>
    ["2020-01-01T00:00", "2020-01-02T12:30"].map((v) => new Date(v).toISOString().replace(".000Z", "Z")),
  );
  assert.deepEqual([query(page).since, query(page).until], expected);
  await page.reload();
  await page.getByText("No audit event matches these filters.").waitFor();
  assert.equal(await page.getByLabel("Since").inputValue(), "2020-01-01T00:00", "the reload keeps the range");
  assert.equal(await page.getByLabel("Until (before)").inputValue(), "2020-01-02T12:30");
  await visit(page, "audit-empty");
  // A range the wrong way round is caught before asking.
  await page.getByLabel("Until (before)").fill("2019-12-31T00:00");
  await page.getByText("Until must not be before since.").waitFor();
  await page.getByRole("button", { name: "Clear filters" }).click();
}

async function paging(page) {
  await page.getByLabel("Per page").selectOption("10");
  const first = await waitRows(page, (r) => r.length === 10, "a page of 10");
  assert.equal(query(page).limit, "10");
  await page.getByRole("button", { name: "Load more" }).click();
  const two = await waitRows(page, (r) => r.length === 20, "two pages of 10");
  assert.deepEqual(two.slice(0, 10).map((r) => r.id), first.map((r) => r.id), "the first page stays");
  assert.equal(new Set(two.map((r) => r.id)).size, 20, "no event twice");
  assertNewestFirst(two);
  await page.getByLabel("Per page").selectOption("50");
  await waitRows(page, (r) => r.length > 20, "the default page size again");
}

async function details(page) {
  await page.getByLabel("Action").fill("user.create");
  await page.getByLabel("Action").press("Enter");
  await page.getByLabel("Actor").fill("admin");
  await page.getByLabel("Actor").press("Enter");
  await waitRows(page, (r) => r.length === config.counts.creates &&
    r.every((x) => x.action === "user.create" && x.actor === "admin"), "the admin's user creations");
  const row = page.locator("tr.audit-row", { hasText: config.alice.id });
  await row.getByRole("button", { name: "Details" }).click();
  const box = page.locator("tr.audit-details");
  await box.waitFor();
  const field = (name) => box.locator(`[data-field=${name}]`).textContent().then((t) => t.trim());
  assert.equal(await field("source_ip"), "127.0.0.1");
  assert.equal(await field("user_agent"), config.created.user_agent, "the user agent, as text");
  assert.equal(await box.locator("img").count(), 0, "no markup from the event");
  assert.equal(await field("resource"), `user ${config.alice.id}`);
  assert.equal(await field("status"), "201");
  assert.equal(await field("request_id"), config.created.request_id);
  assert.equal(await field("outcome"), "success");
  const json = JSON.parse(await field("details"));
  assert.equal(json.username, config.alice.username);
  assert.equal(await row.getByRole("button", { name: "Hide details" }).getAttribute("aria-expanded"), "true");
  await visit(page, "audit-details");

  await box.getByRole("link", { name: "Open this event on its own page" }).click();
  await page.getByRole("heading", { name: "Audit event" }).waitFor();
  const own = page.locator("[data-field=request_id]");
  assert.equal((await own.textContent()).trim(), config.created.request_id);
  await page.reload();
  await own.waitFor();
  assert.equal((await own.textContent()).trim(), config.created.request_id, "the event's own page reloads");
  assert.equal((await page.locator("[data-field=user_agent]").textContent()).trim(), config.created.user_agent);
  await visit(page, "audit-event");
  await page.getByRole("link", { name: "events by this actor" }).click();
  await waitRows(page, (r) => r.every((x) => x.actor === "admin"), "the admin's events");
  assert.deepEqual(query(page), { actor: "admin" });
}

async function narrow(browser) {
  const { context, page } = await openPage(browser, { width: 390 });
  await signIn(page, config.admin.username, config.admin.password);
  await page.goto(`${config.base}/audit?action=user.create`);
  await waitRows(page, (r) => r.length === config.counts.creates, "user.create events at 390 px");
  await page.locator(".audit-stats .chart canvas").first().waitFor();
  await page.locator("tr.audit-row", { hasText: config.alice.id }).getByRole("button", { name: "Details" }).click();
  await page.locator("tr.audit-details").waitFor();
  const { width, wide } = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    wide: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > 391 && !e.parentElement.closest(".table-wrap"))
      .slice(0, 5)
      .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
  }));
  assert.ok(width <= 390, `the page fits 390 px (scroll width ${width}; wide: ${wide.join(", ")})`);
  await visit(page, "audit-narrow");
  await context.close();
}

/// en-US medium date and time of `date` as UTC reads it, spaces plain (ICU may put U+202F before "PM").
const utcText = (date) =>
  new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" })
    .format(date)
    .replace(/\s/g, " ");

/// A browser in India (UTC+05:30, no daylight saving time): a time is shown in its zone, the UTC value on hover.
async function timeZone(browser) {
  const { context, page } = await openPage(browser, { timezoneId: "Asia/Kolkata", locale: "en-US" });
  await signIn(page, config.admin.username, config.admin.password);
  // (ICU names the zone Asia/Calcutta: its offset says it is the one asked for.)
  assert.equal(await page.evaluate(() => new Date().getTimezoneOffset()), -330, "the browser runs at UTC+05:30");
  await page.goto(`${config.base}/audit?action=user.create`);
  const time = page.locator("tr.audit-row", { hasText: config.alice.id }).locator("[data-col=time] time");
  await time.waitFor();
  const at = new Date(config.created.time); // as the API gave it
  const shown = {
    datetime: await time.getAttribute("datetime"),
    text: (await time.textContent()).replace(/\s/g, " ").trim(),
    title: (await time.getAttribute("title")).replace(/\s/g, " ").trim(),
  };
  findings.measures.time_zone = { api: config.created.time, ...shown };
  assert.equal(shown.datetime, at.toISOString());
  assert.equal(shown.text, utcText(new Date(at.getTime() + (5 * 60 + 30) * 60000)), "shown in the browser's zone");
  assert.equal(shown.title, `${utcText(at)} UTC`, "the UTC value on hover");
  await context.close();
}

async function otherRole(browser, user) {
  const { context, page } = await openPage(browser);
  await signIn(page, user.username, user.password);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Servers" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "Audit" }).count(), 0, `${user.role} sees no Audit link`);
  await page.goto(`${config.base}/audit?outcome=failure`);
  await page.getByRole("heading", { name: "Not for your role" }).waitFor();
  assert.equal(await page.locator("tr.audit-row, .audit-filters").count(), 0, "no audit controls");
  await page.goto(`${config.base}/audit/some-event`);
  await page.getByRole("heading", { name: "Not for your role" }).waitFor();
  await visit(page, `audit-${user.role}`);
  await context.close();
}

await run(async (browser) => {
  const { page } = await openPage(browser);
  await signIn(page, config.admin.username, config.admin.password);
  await listAndFilters(page);
  await timeRange(page);
  await paging(page);
  await details(page);
  findings.measures.admin_url = page.url();
  await narrow(browser);
  await timeZone(browser);
  for (const user of config.others) await otherRole(browser, user);
});
