// Users and API tokens, the way people use them: the admin adds an operator (a taken name is refused next to the
// field first), the new user signs in elsewhere at 390 px, changes the password, creates an API token that works
// against /auth/verify and stops working once revoked; the admin changes the role, disables the user, deletes
// another and sees everyone's tokens; a viewer has no Users page and no admin controls.
import { assert, config, findings, openPage, run, signIn, visit, writesDuring } from "./harness.mjs";

// The error shown under the field labelled `label` (inside `scope`, a form, when labels repeat on the page).
const fieldError = (page, label, scope = page) =>
  scope.locator(".field", { has: page.getByLabel(label, { exact: true }) }).locator(".field-error");

async function verify(page, token) {
  const response = await page.request.get(`${config.base}/api/v1/auth/verify`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: response.status(), body: response.ok() ? await response.json() : null };
}

async function adminAddsAnOperator(page) {
  await signIn(page, "admin", config.password);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users", exact: true }).click();
  await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
  await page.getByRole("row").filter({ hasText: config.viewer.username }).waitFor();
  await visit(page, "users-list");

  await page.getByRole("button", { name: "Add a user" }).click();
  const form = page.getByRole("form", { name: "Add a user" });
  await form.waitFor();
  // Checked in the browser first: a short password never leaves it.
  await form.getByLabel("User name").fill(config.newUser.username);
  await form.getByLabel("Password", { exact: true }).fill("short");
  const sent = await writesDuring(page, async () => {
    await form.getByRole("button", { name: "Add user" }).click();
    await fieldError(page, "Password", form).getByText("At least 8 characters.").waitFor();
  });
  assert.deepEqual(sent, [], "a short password was sent to the server");
  // The server's refusal: "admin" is taken (409, names compared without case), shown next to the name.
  await form.getByLabel("User name").fill("ADMIN");
  await form.getByLabel("Role").selectOption("operator");
  await form.getByLabel("Password", { exact: true }).fill(config.newUser.password);
  await form.getByLabel("Password again").fill(config.newUser.password);
  const asked = await writesDuring(page, async () => {
    await form.getByRole("button", { name: "Add user" }).click();
    await fieldError(page, "User name", form).getByText("is taken").waitFor();
  });
  assert.deepEqual(asked, ["POST /api/v1/users"], "a valid form is sent, once"); // and the watch sees it
  assert.equal(await form.getByLabel("User name").getAttribute("aria-invalid"), "true");
  await visit(page, "users-create-error");

  await form.getByLabel("User name").fill(config.newUser.username);
  await form.getByRole("button", { name: "Add user" }).click();
  await page.getByRole("status").filter({ hasText: `Added ${config.newUser.username} as operator` }).waitFor();
  const row = page.getByRole("row").filter({ hasText: config.newUser.username });
  await row.getByText("operator", { exact: true }).waitFor();
  await row.getByText("active", { exact: true }).waitFor();

  // Filters go to the server and stay in the URL.
  const filters = page.getByRole("search");
  await filters.getByLabel("Role").selectOption("operator");
  await page.waitForURL(/role=operator/);
  await page.getByRole("table").getByRole("link", { name: "admin", exact: true }).waitFor({ state: "detached" });
  assert.equal(await row.count(), 1, "the new operator is in the filtered list");
  await filters.getByLabel("Role").selectOption("");
}

async function newUserOwnAccount(browser) {
  const { context, page } = await openPage(browser, { width: 390, height: 844 });
  const user = config.newUser;
  await signIn(page, user.username, user.password, { path: "/account" });
  await page.getByRole("heading", { name: "My account" }).waitFor();
  await page.getByText(`Signed in as ${user.username} (operator)`).waitFor();

  // A wrong current password: the server's 403 shows by the current password.
  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password", { exact: true }).fill(user.newPassword);
  await page.getByLabel("New password again").fill(user.newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await fieldError(page, "Current password").getByText("the current password is wrong").waitFor();
  await page.getByLabel("Current password").fill(user.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByText("Password changed.").waitFor();
  assert.equal(await page.getByLabel("Current password").inputValue(), "", "the form was cleared");

  // A token: the role list stops at the user's own; the secret is shown once and works.
  await page.getByText("You have no API token yet.").waitFor();
  const roles = await page.getByLabel("Token role").locator("option").allTextContents();
  assert.deepEqual(roles, ["Viewer", "Operator"]);
  await page.getByLabel("Token name").fill("ci deploy");
  await page.getByLabel("Expires").selectOption("30");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.locator("code.secret");
  await secret.waitFor();
  const token = (await secret.textContent()).trim();
  assert.match(token, /^gha_/);
  await page.getByRole("button", { name: "Copy" }).waitFor();
  await page.getByRole("row").filter({ hasText: "ci deploy" }).getByText(`${token.slice(0, 8)}`).waitFor();
  await visit(page, "account-token-shown-390");
  const works = await verify(page, token);
  assert.equal(works.status, 200, "the new token authenticates");
  assert.equal(works.body.username, user.username);
  assert.equal(works.body.auth, "api_token");
  assert.equal(works.body.role, "operator");
  findings.measures.token_verify = { status: works.status, auth: works.body.auth, role: works.body.role };

  await page.getByRole("button", { name: "I have copied it" }).click();
  await secret.waitFor({ state: "detached" });
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("row").filter({ hasText: "ci deploy" }).getByRole("button", { name: "Revoke" }).click();
  await page.getByText("You have no API token yet.").waitFor();
  const refused = await verify(page, token);
  assert.equal(refused.status, 401, "the revoked token is refused");
  findings.measures.token_after_revoke = refused.status;
  await visit(page, "account-390");
  await context.close();
}

async function adminChangesRoleAndDisables(page) {
  await page.goto(`${config.base}/users`);
  await page.getByRole("link", { name: config.newUser.username }).click();
  await page.getByRole("heading", { name: config.newUser.username, level: 1 }).waitFor();
  await visit(page, "user-detail");

  await page.getByLabel("New role").selectOption("viewer");
  await page.getByRole("button", { name: "Change role" }).click();
  await page.getByText("Role changed to viewer.").waitFor();

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Disable" }).click();
  await page.getByRole("button", { name: "Enable" }).waitFor();
  await page.getByRole("region", { name: "Access" }).getByText("disabled", { exact: true }).waitFor();

  await page.getByLabel("New password", { exact: true }).fill("1234567");
  await page.getByRole("button", { name: "Set password" }).click();
  await fieldError(page, "New password").getByText("At least 8 characters.").waitFor();
  await page.getByLabel("New password", { exact: true }).fill(config.newUser.adminPassword);
  await page.getByLabel("New password again").fill(config.newUser.adminPassword);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText("Password set.").waitFor();

  // The list's state filter finds the disabled user.
  await page.getByRole("link", { name: "← All users" }).click();
  await page.getByRole("search").getByLabel("State").selectOption("true");
  await page.waitForURL(/disabled=true/);
  const row = page.getByRole("row").filter({ hasText: config.newUser.username });
  await row.getByText("disabled", { exact: true }).waitFor();
  await row.getByText("viewer", { exact: true }).waitFor();
  await page.getByRole("search").getByLabel("State").selectOption("");
}

async function adminGuardsAndDeletes(page) {
  // One's own account as the last admin: the server's 409 shows next to the control.
  await page.getByRole("table").getByRole("link", { name: "admin", exact: true }).click();
  await page.getByRole("heading", { name: "admin", level: 1 }).waitFor();
  await page.getByLabel("New role").selectOption("operator");
  await page.getByRole("button", { name: "Change role" }).click();
  await fieldError(page, "New role").getByText("last active admin").waitFor();

  await page.goto(`${config.base}/users/${config.doomed.id}`);
  await page.getByRole("heading", { name: config.doomed.username, level: 1 }).waitFor();
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Delete user" }).click();
  await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
  await page.getByRole("row").filter({ hasText: config.newUser.username }).waitFor();
  assert.equal(await page.getByRole("row").filter({ hasText: config.doomed.username }).count(), 0);

  // Everyone's tokens, each with its owner.
  await page.goto(`${config.base}/account`);
  await page.getByLabel("Whose tokens").selectOption("all");
  await page.waitForURL(/tokens=all/);
  const theirs = page.getByRole("row").filter({ hasText: config.viewer.tokenName });
  await theirs.getByRole("link", { name: config.viewer.username }).waitFor();
  await visit(page, "tokens-everyone");
}

async function viewerSeesNoAdminControls(browser) {
  const { context, page } = await openPage(browser);
  await signIn(page, config.viewer.username, config.viewer.password);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Servers" }).waitFor();
  assert.equal(await nav.getByRole("link", { name: "Users", exact: true }).count(), 0, "no Users link");
  await page.goto(`${config.base}/users`);
  await page.getByRole("heading", { name: "Not for your role" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Add a user" }).count(), 0);
  await visit(page, "users-viewer-forbidden");
  await page.goto(`${config.base}/users/${config.viewer.id}`);
  await page.getByRole("heading", { name: "Not for your role" }).waitFor();
  assert.equal(await page.getByRole("button", { name: /Delete user|Disable|Change role/ }).count(), 0);

  await page.goto(`${config.base}/account`);
  await page.getByRole("row").filter({ hasText: config.viewer.tokenName }).waitFor();
  assert.equal(await page.getByLabel("Whose tokens").count(), 0, "no everyone's-tokens switch");
  const roles = await page.getByLabel("Token role").locator("option").allTextContents();
  assert.deepEqual(roles, ["Viewer"]);
  await visit(page, "account-viewer");
  await context.close();
}

await run(async (browser) => {
  const { page } = await openPage(browser);
  await adminAddsAnOperator(page);
  await newUserOwnAccount(browser);
  await adminChangesRoleAndDisables(page);
  await adminGuardsAndDeletes(page);
  await viewerSeesNoAdminControls(browser);
});
