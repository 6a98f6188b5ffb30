// The gateway page, in two phases around requests the pytest wrapper makes through the proxy.
// "buy":    the admin creates a route (a form error first), edits it and tops up the operator's wallet; the
//           operator buys a 12-hour token (price and balance shown before), sees the balance fall by the price,
//           copies nothing but reads the token shown once, and opens the route in this browser with it.
// "revoke": the operator (390 px) sees the token's live session, revokes the token and sees the refund in the
//           ledger; the admin deletes another route; a viewer sees no route create, edit or delete control.
import { assert, config, findings, openPage, run, signIn, visit } from "./harness.mjs";

const main = (page) => page.locator("main");

async function adminCreatesRoute(page) {
  await signIn(page, "admin", config.password, { path: "/gateway" });
  await page.getByRole("heading", { name: "Gateway" }).waitFor();
  await visit(page, "gateway-routes-admin");
  await page.getByRole("link", { name: "New route" }).click();
  await page.getByRole("heading", { name: "New gateway route" }).waitFor();
  // The browser's own checks first: a slug with a space never reaches the server.
  await page.getByLabel("Slug", { exact: true }).fill("Not A Slug");
  await page.getByLabel("Name", { exact: true }).fill(config.route_name);
  await page.getByLabel("Upstream URL", { exact: true }).fill(config.upstream_url);
  await page.getByLabel("1 hour", { exact: true }).fill("1");
  await page.getByLabel("12 hours", { exact: true }).fill("12");
  await page.getByRole("button", { name: "Create route" }).click();
  await page.getByText("1 to 63 lowercase letters").waitFor();
  assert.equal(await page.getByLabel("Slug", { exact: true }).getAttribute("aria-invalid"), "true");
  await visit(page, "gateway-route-new-invalid");
  // A header the proxy sets itself: refused by the server, its detail shown beside the field.
  await page.getByLabel("Slug", { exact: true }).fill(config.slug);
  await page.getByLabel("Extra upstream headers", { exact: true }).fill("Host: elsewhere");
  await page.getByRole("button", { name: "Create route" }).click();
  const headersField = main(page).locator(".field.invalid", { hasText: "Extra upstream headers" });
  await headersField.getByText("proxy sets it").waitFor();
  await page.getByLabel("Extra upstream headers", { exact: true }).fill("X-Team: ops");
  await page.getByRole("button", { name: "Create route" }).click();
  await page.getByRole("heading", { name: config.route_name, exact: true }).waitFor();
  findings.measures.route_url = page.url();

  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByRole("heading", { name: `Edit ${config.route_name}` }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill(config.route_renamed);
  await page.getByLabel("1 week", { exact: true }).fill("100");
  await page.getByRole("button", { name: "Save route" }).click();
  await page.getByRole("heading", { name: config.route_renamed, exact: true }).waitFor();
  await main(page).getByText("1 week: 100 credits").waitFor();
  await visit(page, "gateway-route-admin");
}

async function adminTopsUp(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Gateway" }).click();
  await page.getByRole("navigation", { name: "Gateway views" }).getByRole("link", { name: "Wallet" }).click();
  await page.getByRole("heading", { name: "Transactions" }).waitFor();
  await page.getByLabel("Wallet of", { exact: true }).selectOption({ label: `${config.operator.username} (operator)` });
  await page.getByTestId("wallet-balance").getByText("0 credits").waitFor();
  assert.match(page.url(), /user=/, "the chosen wallet is in the URL");
  await page.getByLabel("Credits", { exact: true }).fill(String(config.top_up));
  await page.getByLabel("Note", { exact: true }).fill("UI top-up");
  await page.getByRole("button", { name: "Add credits" }).click();
  await page.getByTestId("wallet-balance").getByText(`${config.top_up} credits`).waitFor();
  await main(page).locator("tr[data-kind=top_up]", { hasText: "UI top-up" }).waitFor();
  await visit(page, "gateway-wallet-admin");
}

async function operatorBuys(browser) {
  const { context, page } = await openPage(browser);
  await signIn(page, config.operator.username, config.operator.password, { path: "/gateway" });
  await page.getByRole("link", { name: config.route_renamed }).click();
  await page.getByRole("heading", { name: config.route_renamed, exact: true }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Edit", exact: true }).count(), 0, "an operator sees no Edit");
  await page.getByTestId("balance").getByText(`${config.top_up} credits`).waitFor();
  await page.getByLabel("Duration", { exact: true }).selectOption("12");
  assert.equal(await page.getByTestId("price").textContent(), "12 credits");
  assert.equal(await page.getByTestId("balance-after").textContent(), `${config.top_up - 12} credits`);
  await visit(page, "gateway-buy");
  await page.getByRole("button", { name: "Buy for 12 credits" }).click();
  const secret = page.locator("code.secret");
  await secret.waitFor();
  const token = (await secret.textContent()).trim();
  assert.match(token, /^[A-Za-z0-9_-]{64}$/);
  findings.measures.token = token;
  await page.getByTestId("balance").getByText(`${config.top_up - 12} credits`).waitFor();
  await page.getByRole("button", { name: "Copy" }).waitFor();
  await main(page).locator("tr[data-token]").first().waitFor();
  await visit(page, "gateway-bought");

  // Open the route: the token becomes the gateway's cookie, the route opens in a new tab.
  const filled = await page.getByLabel("Access token", { exact: true }).inputValue();
  assert.equal(filled, token, "the bought token is filled in");
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    page.getByRole("button", { name: `Open /gw/${config.slug}/` }).click(),
  ]);
  await tab.waitForLoadState();
  assert.equal(new URL(tab.url()).pathname, `/gw/${config.slug}/`);
  const echoed = JSON.parse(await tab.locator("pre").first().textContent());
  assert.equal(echoed.path, "/echo/", "the upstream answered through the gateway");
  findings.measures.opened = echoed.path;
  await main(page).getByText("This browser is signed in to the route").waitFor();
  await context.close();
}

async function operatorRevokes(browser) {
  const { context, page } = await openPage(browser, { width: 390 });
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, config.operator.username, config.operator.password, { path: "/gateway?view=sessions" });
  const row = main(page).locator(`tr[data-token="${config.token_id}"]`);
  await row.waitFor();
  // The proxy's counts reach the store every 5 s and the view refreshes itself every 3 s: the count may catch up on
  // the page while it is shown.
  let requests = 0;
  for (const deadline = Date.now() + 12000; ; await page.waitForTimeout(250)) {
    requests = Number(await row.getByTestId("requests").textContent());
    if (requests >= config.requests || Date.now() > deadline) break;
  }
  assert.ok(requests >= config.requests, `the session counts ${requests} requests, not ${config.requests}`);
  findings.measures.session_requests = requests;
  await row.getByText(config.slug).waitFor();
  await visit(page, "gateway-sessions-390");

  await page.getByRole("link", { name: "Access tokens" }).click();
  const token = main(page).locator(`tr[data-token="${config.token_id}"]`);
  await token.getByText("if revoked now").waitFor();
  await visit(page, "gateway-tokens-390");
  await token.getByRole("button", { name: /Revoke/ }).click();
  const refund = page.getByTestId("refund");
  await refund.waitFor();
  findings.measures.refund = await refund.textContent();
  assert.equal(findings.measures.refund, "11 credits", "11 unused hours of 12 come back");
  await token.getByText("revoked").waitFor();

  await page.getByRole("link", { name: "Wallet" }).click();
  await main(page).locator("tr[data-kind=refund]", { hasText: "+11" }).waitFor();
  await page.getByTestId("wallet-balance").getByText(`${config.top_up - 1} credits`).waitFor();
  assert.equal(await page.getByRole("button", { name: "Add credits" }).count(), 0, "no top-up for an operator");
  await visit(page, "gateway-wallet-390");
  await context.close();
}

async function adminDeletes(browser) {
  const { context, page } = await openPage(browser);
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, "admin", config.password, { path: `/gateway/${config.scratch_id}` });
  await page.getByRole("heading", { name: config.scratch_name, exact: true }).waitFor();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("link", { name: "New route" }).waitFor();
  await main(page).getByRole("link", { name: config.route_renamed }).waitFor();
  assert.equal(await main(page).getByRole("link", { name: config.scratch_name }).count(), 0);
  await page.goto(config.base + "/gateway?view=sessions");
  await main(page).locator(`tr[data-token="${config.token_id}"]`).waitFor();
  await visit(page, "gateway-sessions-admin");
  await context.close();
}

async function viewerSeesNoWriteControls(browser) {
  const { context, page } = await openPage(browser, { width: 390 });
  await signIn(page, config.viewer.username, config.viewer.password, { path: "/gateway" });
  await main(page).getByRole("link", { name: config.route_renamed }).waitFor();
  assert.equal(await page.getByRole("link", { name: "New route" }).count(), 0, "a viewer sees no New route");
  await visit(page, "gateway-routes-viewer-390");
  await main(page).getByRole("link", { name: config.route_renamed }).click();
  await page.getByRole("heading", { name: config.route_renamed, exact: true }).waitFor();
  await page.getByText("Your wallet holds less than the price").waitFor();
  for (const name of ["Edit", "Delete"]) {
    assert.equal(await page.getByRole("button", { name, exact: true }).count(), 0, `a viewer sees no ${name}`);
  }
  await visit(page, "gateway-route-viewer-390");
  await page.goto(config.base + "/gateway/new");
  await page.getByText("Only admins add gateway routes").waitFor();
  assert.equal(await page.getByRole("button", { name: "Create route" }).count(), 0);
  await context.close();
}

await run(async (browser) => {
  if (config.phase === "buy") {
    const { context, page } = await openPage(browser);
    await adminCreatesRoute(page);
    await adminTopsUp(page);
    await context.close();
    await operatorBuys(browser);
  } else {
    await operatorRevokes(browser);
    await adminDeletes(browser);
    await viewerSeesNoWriteControls(browser);
  }
});
