import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./global-setup";
import { adminApi, bearerStatus, insertExpiredToken, postsTo, seedTokens, signIn, unique } from "./support";

/** Issue 15's numbered findings, one test (or a few) each, named after the finding. */

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const DAY = 86_400_000;

async function openSecurity(page: Page, query = "") {
  await signIn(page);
  await page.goto(`/panel/settings/security${query}`);
  await expect(page.getByRole("tabpanel")).toBeVisible();
}

const rowOf = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });
const searchBox = (page: Page) => page.getByRole("searchbox", { name: /Filter tokens|Search tokens/ });

/** Shows just this token in the list, whatever else other tests made. */
async function findRow(page: Page, name: string): Promise<Locator> {
  await searchBox(page).fill(name);
  const row = rowOf(page, name);
  await expect(row).toHaveCount(1);
  return row;
}

async function openManage(page: Page, name: string): Promise<Locator> {
  await (await findRow(page, name)).getByRole("button", { name: "Manage" }).click();
  const dialog = page.getByRole("dialog", { name: `Token “${name}”` });
  await expect(dialog).toBeVisible();
  return dialog;
}

type Double = "dblclick" | "two clicks";
const DOUBLES: Double[] = ["dblclick", "two clicks"];

/**
 * A double click, or two click()s in one go: both land before React renders
 * again, so a button that is only disabled by the next render takes both.
 */
async function doubleClick(target: Locator, how: Double) {
  if (how === "dblclick") return target.dblclick();
  await target.evaluate((button: HTMLElement) => {
    button.click();
    button.click();
  });
}

const focusIsOnBody = (page: Page) => page.evaluate(() => document.activeElement === null || document.activeElement === document.body);

for (const how of DOUBLES) {
  test(`finding 1: double-clicking Create makes one token (${how})`, async ({ page, request }) => {
    await openSecurity(page);
    const creates = postsTo(page, /\/apiTokens\/create$/);
    await page.getByRole("button", { name: "New token" }).click();
    const dialog = page.getByRole("dialog", { name: "New API token" });
    const name = unique("f1-create");
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("Scope").selectOption("monitor");
    await doubleClick(dialog.getByRole("button", { name: "Create", exact: true }), how);
    await expect(page.getByRole("dialog", { name: "Copy your new API token" })).toBeVisible();
    await page.waitForTimeout(300);
    expect(creates).toHaveLength(1);
    const api = await adminApi(request);
    expect((await api.tokens()).filter((t) => t.name === name)).toHaveLength(1);
    await expect(page.getByText("a token with that name already exists")).toHaveCount(0);
  });

  test(`finding 1: double-clicking Rotate rotates once, the old secret keeps its grace period (${how})`, async ({ page, request }) => {
    const api = await adminApi(request);
    const name = unique("f1-rotate");
    const old = (await api.create({ name, scope: "monitor" })).token!;
    await openSecurity(page);
    const rotations = postsTo(page, /\/apiTokens\/rotate\/\d+$/);
    const manage = await openManage(page, name);
    await manage.getByLabel("Grace period").selectOption("3600");
    await doubleClick(manage.getByRole("button", { name: "Rotate token" }), how);
    await page.waitForTimeout(300);
    expect(rotations.length).toBeLessThanOrEqual(1);
    const confirm = page.getByRole("alertdialog", { name: `Rotate “${name}”?` });
    await doubleClick(confirm.getByRole("button", { name: "Rotate now" }), how);
    await expect(page.getByRole("dialog", { name: "Copy the rotated API token" })).toBeVisible();
    await page.waitForTimeout(300);
    expect(rotations).toHaveLength(1);
    expect(await bearerStatus(request, old)).toBe(200);
  });

  test(`finding 1: double-clicking Delete deletes once and closes the dialog (${how})`, async ({ page, request }) => {
    const api = await adminApi(request);
    const name = unique("f1-delete");
    await api.create({ name, scope: "monitor" });
    await openSecurity(page);
    const deletes = postsTo(page, /\/apiTokens\/delete\/\d+$/);
    await (await findRow(page, name)).getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("alertdialog", { name: `Delete token “${name}”?` });
    await doubleClick(confirm.getByRole("button", { name: "Delete token" }), how);
    await expect(confirm).toBeHidden();
    await expect(page.getByText(/token not found/i)).toHaveCount(0);
    await page.waitForTimeout(300);
    expect(deletes).toHaveLength(1);
    expect(await api.token(name)).toBeUndefined();
  });
}

for (const how of DOUBLES) {
  test(`finding 1: double-clicking Save changes sends one update (${how})`, async ({ page, request }) => {
    const api = await adminApi(request);
    const name = unique("f1-save");
    await api.create({ name, scope: "monitor" });
    await openSecurity(page);
    const updates = postsTo(page, /\/apiTokens\/update\/\d+$/);
    const manage = await openManage(page, name);
    await manage.getByLabel("Allowed IP addresses").fill("198.51.100.0/24");
    await doubleClick(manage.getByRole("button", { name: "Save changes" }), how);
    await expect(manage.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await page.waitForTimeout(300);
    expect(updates).toHaveLength(1);
    expect((await api.token(name))!.allowedIps).toEqual(["198.51.100.0/24"]);
  });
}

test("finding 2: clearing “Expires on” and saving does not make the token never expire", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f2-clear");
  const expiresAt = Date.now() + 30 * DAY;
  await api.create({ name, scope: "monitor", expiresAt });
  await openSecurity(page);
  const manage = await openManage(page, name);
  await manage.getByLabel("Expires on").fill("");
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByLabel("Expires on")).toHaveAttribute("aria-invalid", "true");
  await expect(manage.getByText("Pick the last day the token works, or tick Never expires.")).toBeVisible();
  await expect(manage.getByRole("status").filter({ hasText: /saved/i })).toHaveCount(0);
  expect((await api.token(name))!.expiresAt).toBe(expiresAt);
});

test("finding 3: a token that expires today, and an expired one, can still get an allowlist", async ({ page, request }) => {
  const api = await adminApi(request);
  const today = unique("f3-today");
  const expiresAt = Date.now() + 60 * 60_000;
  await api.create({ name: today, scope: "monitor", expiresAt });
  const expired = unique("f3-expired");
  await insertExpiredToken(expired, "monitor");
  const expiredAt = (await api.token(expired))!.expiresAt;
  await openSecurity(page);
  for (const [name, at] of [
    [today, expiresAt],
    [expired, expiredAt],
  ] as const) {
    const manage = await openManage(page, name);
    await manage.getByLabel("Allowed IP addresses").fill("203.0.113.0/24");
    await manage.getByRole("button", { name: "Save changes" }).click();
    await expect(manage.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
    const saved = (await api.token(name))!;
    expect(saved.allowedIps).toEqual(["203.0.113.0/24"]);
    expect(saved.expiresAt).toBe(at);
    await manage.getByRole("button", { name: "Close", exact: true }).click();
    await expect(manage).toBeHidden();
    // Focus goes back to the row's Manage button a moment after the dialog closes; type only after that.
    await expect(rowOf(page, name).getByRole("button", { name: "Manage" })).toBeFocused();
  }
});

test("finding 4: rotating an expired token asks for a new expiry and gives a secret that works", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f4-expired");
  await insertExpiredToken(name, "monitor");
  await openSecurity(page);
  const manage = await openManage(page, name);
  await expect(manage.getByText("This token has expired")).toBeVisible();
  await manage.getByLabel("New expiry").selectOption("30");
  await manage.getByRole("button", { name: "Rotate token" }).click();
  await page.getByRole("alertdialog", { name: `Rotate “${name}”?` }).getByRole("button", { name: "Rotate now" }).click();
  const secret = page.getByRole("dialog", { name: "Copy the rotated API token" });
  const fresh = await secret.getByLabel("Your new API token").inputValue();
  expect(await bearerStatus(request, fresh)).toBe(200);
  const rotated = (await api.token(name))!;
  expect(rotated.expiresAt).toBeGreaterThan(Date.now() + 29 * DAY);
  expect(rotated.expired).toBe(false);
});

test("finding 5: a failed background refresh keeps the loaded list, its filter and page, with a banner and Retry", async ({ page }) => {
  const prefix = unique("f5");
  await seedTokens(30, prefix);
  await openSecurity(page);
  await searchBox(page).fill(prefix);
  await expect(page).toHaveURL(new RegExp(`q=${prefix}`));
  const rows = page.locator("tbody").getByRole("row");
  await expect(rows.first()).toContainText(prefix);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText(/^21–30 of 30$/)).toBeVisible();

  await page.route(/\/panel\/api\/setting\/apiTokens(\?.*)?$/, (route) =>
    route.request().method() === "GET"
      ? route.fulfill({ status: 500, contentType: "application/json", body: '{"success":false,"msg":"database is locked","obj":null}' })
      : route.continue(),
  );
  // Any change refetches the list: flip a token off (the POST itself goes through).
  await rows.first().getByRole("switch").click();
  const banner = page.getByRole("alert").filter({ hasText: "Could not refresh the tokens" });
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(banner).not.toContainText("database is locked");
  await expect(rows).toHaveCount(10);
  await expect(rows.first()).toContainText(prefix);
  await expect(page.getByText(/^21–30 of 30$/)).toBeVisible();
  await expect(searchBox(page)).toHaveValue(prefix);
  await expect(page.getByText(/^Could not load the tokens\./)).toHaveCount(0);

  await page.unroute(/\/panel\/api\/setting\/apiTokens(\?.*)?$/);
  await banner.getByRole("button", { name: "Retry" }).click();
  await expect(banner).toBeHidden();
  await expect(rows.first()).toContainText(prefix);
});

test("finding 5: a failed refresh of the audit log keeps the loaded events", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f5-audit");
  await api.create({ name, scope: "monitor" });
  await openSecurity(page, "?tab=audit");
  const panel = page.getByRole("tabpanel", { name: "Audit log" });
  await expect(panel.getByRole("row").filter({ hasText: name }).first()).toBeVisible();
  await page.route(/\/panel\/api\/setting\/auditLog/, (route) => route.abort());
  await panel.getByRole("button", { name: "Refresh" }).click();
  const banner = panel.getByRole("alert").filter({ hasText: "Could not refresh the audit log" });
  await expect(banner).toBeVisible({ timeout: 15_000 });
  await expect(panel.getByRole("row").filter({ hasText: name }).first()).toBeVisible();
  await page.unroute(/\/panel\/api\/setting\/auditLog/);
  await banner.getByRole("button", { name: "Retry" }).click();
  await expect(banner).toBeHidden();
});

test("finding 6: the create dialog takes an IP allowlist", async ({ page, request }) => {
  await openSecurity(page);
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  const name = unique("f6-allow");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Scope").selectOption("monitor");
  await dialog.getByLabel("Allowed IP addresses").fill("203.0.113.7/24\n2001:db8::/32");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("dialog", { name: "Copy your new API token" })).toBeVisible();
  const api = await adminApi(request);
  expect((await api.token(name))!.allowedIps).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
});

test("finding 7: saving an unchanged form changes nothing; the allowlist box shows what the server stored", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f7-same");
  const expiresAt = Date.now() + 30 * DAY;
  const { id } = await api.create({ name, scope: "monitor", expiresAt });
  await openSecurity(page);
  const updates = postsTo(page, /\/apiTokens\/update\/\d+$/);
  const manage = await openManage(page, name);
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByRole("status").filter({ hasText: "Nothing to save" })).toBeVisible();
  expect(updates).toHaveLength(0);
  expect((await api.token(name))!.expiresAt).toBe(expiresAt);
  const edits = await api.get<{ events: unknown[] }>(`/panel/api/setting/auditLog?action=token.update&tokenId=${id}`);
  expect(edits.events).toHaveLength(0);

  await manage.getByLabel("Allowed IP addresses").fill("203.0.113.7/24");
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await expect(manage.getByLabel("Allowed IP addresses")).toHaveValue("203.0.113.0/24");
  const saved = (await api.token(name))!;
  expect(saved.allowedIps).toEqual(["203.0.113.0/24"]);
  expect(saved.expiresAt).toBe(expiresAt);
});

test("finding 8: Escape on the scope popover closes only the popover, unsaved edits stay", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f8-esc");
  await api.create({ name, scope: "monitor" });
  await openSecurity(page);
  const manage = await openManage(page, name);
  await manage.getByLabel("Token name").fill(`${name}-edited`);
  await manage.getByRole("button", { name: /Scope monitor/ }).click();
  const routes = page.getByRole("list", { name: "Allowed routes" });
  await expect(routes).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(routes).toBeHidden();
  await expect(manage).toBeVisible();
  await expect(manage.getByLabel("Token name")).toHaveValue(`${name}-edited`);
});

test("finding 9: Rotate asks first, and says when the old token stops at once", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f9-confirm");
  const before = await api.create({ name, scope: "monitor" });
  await openSecurity(page);
  const rotations = postsTo(page, /\/apiTokens\/rotate\/\d+$/);
  const manage = await openManage(page, name);
  await manage.getByLabel("Grace period").selectOption("0");
  await manage.getByRole("button", { name: "Rotate token" }).click();
  const confirm = page.getByRole("alertdialog", { name: `Rotate “${name}”?` });
  await expect(confirm).toContainText("stops working now");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(manage).toBeVisible();
  expect(rotations).toHaveLength(0);
  expect((await api.token(name))!.prefix).toBe(before.prefix);
  expect(await bearerStatus(request, before.token!)).toBe(200);
});

test("finding 10: focus lands on a control after deleting a token and after “Keep it open”", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f10-focus");
  await api.create({ name, scope: "monitor" });
  await openSecurity(page);
  await (await findRow(page, name)).getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete token" }).click();
  await expect(rowOf(page, name)).toHaveCount(0);
  await expect(page.getByRole("button", { name: "New token" })).toBeFocused();
  expect(await focusIsOnBody(page)).toBe(false);

  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(unique("f10-keep"));
  await dialog.getByLabel("Scope").selectOption("monitor");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  await secret.getByRole("button", { name: "Close", exact: true }).click();
  await secret.getByRole("button", { name: "Keep it open" }).click();
  expect(await focusIsOnBody(page)).toBe(false);
  await expect(secret.getByRole("button", { name: "Copy" })).toBeFocused();
});

test("finding 11: an expired token looks expired, not enabled", async ({ page }) => {
  const name = unique("f11-expired");
  await insertExpiredToken(name, "monitor");
  await openSecurity(page);
  const row = await findRow(page, name);
  await expect(row.getByRole("switch")).toHaveAccessibleDescription(/expired/i);
  await expect(row.getByText("Expired", { exact: true }).filter({ visible: true }).first()).toBeVisible();
  const manage = await openManage(page, name);
  await expect(manage.getByRole("definition").filter({ hasText: /^Expired/ }).first()).toBeVisible();
  await expect(manage.getByText("Enabled", { exact: true })).toHaveCount(0);
});

test("finding 12: credentials: an empty current password is not sent, refusals read as sentences", async ({ page }) => {
  await signIn(page);
  await page.goto("/panel/settings/security?tab=credentials");
  const form = page.getByRole("tabpanel", { name: "Admin credentials" });
  const sent = postsTo(page, /\/setting\/updateUser$/);
  await form.getByLabel("New password", { exact: true }).fill("a-better-password");
  await form.getByLabel("Confirm new password").fill("a-better-password");
  await form.getByRole("button", { name: "Update credentials" }).click();
  await expect(form.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("Enter your current password.")).toBeVisible();
  await page.waitForTimeout(300);
  expect(sent).toHaveLength(0);

  await form.getByLabel("Current password").fill(`${E2E_ADMIN.password}-wrong`);
  await form.getByRole("button", { name: "Update credentials" }).click();
  await expect(form.getByRole("alert")).toHaveText("The current password is not right. Nothing was changed.");
  expect(sent).toHaveLength(1);
});

test("finding 12: the allowlist error names every bad entry", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f12-ips");
  await api.create({ name, scope: "monitor" });
  await openSecurity(page);
  const updates = postsTo(page, /\/apiTokens\/update\/\d+$/);
  const manage = await openManage(page, name);
  await manage.getByLabel("Allowed IP addresses").fill("10.0.0.0/33\n203.0.113.0/24\nnot-an-ip");
  await manage.getByRole("button", { name: "Save changes" }).click();
  const field = manage.getByLabel("Allowed IP addresses");
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription(/10\.0\.0\.0\/33.*not-an-ip/);
  expect(updates).toHaveLength(0);
});

test("finding 13: the scope popover's route list is reachable by keyboard, paths wrap at slashes", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("f13-routes");
  await api.create({ name, scope: "admin" });
  await page.setViewportSize({ width: 375, height: 700 });
  await openSecurity(page);
  const row = await findRow(page, name);
  await row.getByRole("button", { name: /Scope admin/ }).click();
  const routes = page.getByRole("list", { name: "Allowed routes" });
  await expect(routes.getByRole("listitem").first()).toBeVisible();
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  // The admin scope's routes overflow the popover: the list scrolls, and takes focus so arrow keys scroll it.
  expect(await routes.evaluate((ul) => ul.scrollHeight > ul.clientHeight)).toBe(true);
  await routes.focus();
  await expect(routes).toBeFocused();
  const breaks = await routes.locator("li").first().evaluate((li) => getComputedStyle(li.lastElementChild!).wordBreak);
  expect(breaks).not.toBe("break-all");
});
