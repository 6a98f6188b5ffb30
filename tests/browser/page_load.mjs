// Loads a page through the gateway in Debian's headless Chromium and reports every request the page made.
//   node page_load.mjs GATEWAY_URL PAGE_PATH ACCESS_TOKEN UPSTREAM_ORIGIN
// Prints one JSON line {requests: [{url, status}], escaped: [...], marker}; exits 1 when a request went to the
// upstream's origin directly, failed, or the page's script did not finish.
import { chromium } from "playwright-core";

const [gateway, path, token, upstream] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  // The browser authenticates as a user would: POST /gw/authenticate sets the HttpOnly cookie (the context's
  // request API shares the browser's cookie jar).
  const authResponse = await context.request.post(gateway + "/gw/authenticate", { data: { token } });
  const auth = authResponse.status();
  const requests = [];
  page.on("requestfinished", async (request) => {
    const response = await request.response();
    requests.push({ url: request.url(), status: response ? response.status() : 0 });
  });
  page.on("requestfailed", (request) => requests.push({ url: request.url(), status: -1 }));
  await page.goto(gateway + path, { waitUntil: "networkidle" });
  await page.waitForFunction(() => document.body && document.body.dataset.fetched, null, { timeout: 10000 });
  const marker = await page.evaluate(() => document.body.dataset.fetched);
  const escaped = requests.filter((r) => r.url.startsWith(upstream));
  const failed = requests.filter((r) => r.status < 200 || r.status >= 400);
  console.log(JSON.stringify({ auth, requests, escaped, failed, marker }));
  process.exitCode = auth === 200 && escaped.length === 0 && failed.length === 0 ? 0 : 1;
} finally {
  await browser.close();
}
