// What every UI scenario shares: Debian's headless Chromium through playwright-core, a page that records CSP
// violations, script errors and requests to any other origin, sign-in, an axe-core scan and screenshots.
// A scenario reads its settings from UI_TEST_CONFIG (JSON, written by tests/e2e/ui_support.py) and prints one JSON
// line with its findings; it exits 1 on the first failed check.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

export { assert };
export const config = JSON.parse(process.env.UI_TEST_CONFIG || "{}");
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const findings = {
  pages: [], csp: [], errors: [], foreign: [], axe: [], screenshots: [], overflow: [], measures: {},
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/// A fresh browser context (its own cookies) and page at `width` px, watched for CSP violations, errors and
/// requests leaving the origin. `timezoneId` (an IANA zone) and `locale` are the browser's; unset, the machine's.
export async function openPage(browser, settings = {}) {
  const { width = 1280, height = 900, colorScheme = "light", timezoneId, locale } = settings;
  const options = { viewport: { width, height }, colorScheme };
  if (timezoneId) options.timezoneId = timezoneId;
  if (locale) options.locale = locale;
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const origin = new URL(config.base).origin;
  // Init scripts run through the DevTools protocol, so the page's CSP does not apply to this observer.
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber }),
    );
  });
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy|Refused to/.test(text)) findings.csp.push({ url: page.url(), text });
  });
  page.on("pageerror", (error) => findings.errors.push({ url: page.url(), error: String(error) }));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) findings.foreign.push(url);
  });
  return { context, page };
}

/// Collects the page's CSP violations so far.
export async function collectCsp(page) {
  const found = await page.evaluate(() => window.__csp.splice(0));
  for (const v of found) findings.csp.push({ url: page.url(), ...v });
}

export async function signIn(page, username, password, { path = "/" } = {}) {
  await page.goto(config.base + path);
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

/// Polls `predicate` in the page every 100 ms until it is true (page.evaluate is not subject to the page's CSP,
/// unlike page.waitForFunction, whose polling evaluates a string: the CSP forbids that eval).
export async function until(page, predicate, arg, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(predicate, arg))) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${predicate}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/// Runs `action` and returns the requests other than GET to /api/ that the page sent meanwhile and in the
/// `settleMs` after it ("METHOD path"), to show that something was refused in the browser, before sending. The
/// token renewal (POST /api/v1/auth/refresh) may happen at any time and is not counted.
export async function writesDuring(page, action, settleMs = 500) {
  const sent = [];
  const watch = (request) => {
    const { pathname } = new URL(request.url());
    if (request.method() !== "GET" && pathname.startsWith("/api/") && pathname !== "/api/v1/auth/refresh") {
      sent.push(`${request.method()} ${pathname}`);
    }
  };
  page.on("request", watch);
  try {
    await action();
    await page.waitForTimeout(settleMs);
  } finally {
    page.off("request", watch);
  }
  return sent;
}

/// axe-core on the page as it is; serious and critical violations are findings.
export async function scan(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  findings.axe.push({ page: name, serious, minor: result.length - serious.length });
  return serious;
}

export async function shot(page, name) {
  const dir = config.screenshots;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  findings.screenshots.push(file);
}

/// A page visited: CSP checked, axe scan, screenshot.
export async function visit(page, name) {
  await page.waitForLoadState("networkidle");
  await collectCsp(page);
  await scan(page, name);
  await shot(page, name);
  await sideways(page, name);
  findings.pages.push(name);
}

/// On a phone-sized screen the page itself never scrolls sideways (wide tables scroll inside their own region).
async function sideways(page, name) {
  const { width } = page.viewportSize();
  if (width > 400) return;
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 0) findings.overflow.push({ page: name, width, overflow_px: overflow });
}

/// Runs `body(browser)`, then checks what every scenario must hold and prints the findings.
export async function run(body) {
  const browser = await launch();
  let failure = null;
  try {
    await body(browser);
    assert.deepEqual(findings.csp, [], "Content-Security-Policy violations");
    assert.deepEqual(findings.errors, [], "script errors");
    assert.deepEqual(findings.foreign, [], "requests to another origin");
    assert.deepEqual(findings.overflow, [], "pages wider than a 390 px screen");
    for (const a of findings.axe) assert.deepEqual(a.serious, [], `axe-core: serious violations on ${a.page}`);
  } catch (error) {
    failure = error;
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ ok: !failure, failure: failure ? String(failure.stack || failure) : null, ...findings }));
  process.exitCode = failure ? 1 : 0;
}
