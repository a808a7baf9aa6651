import { expect, test, type Page } from "@playwright/test";
import { adminApi, bearerStatus, expectNoAxeViolations, insertExpiredToken, mintAdminToken, SCREENSHOT_MODES, seedTokens, signIn, snap, unique } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

async function openSecurity(page: Page) {
  await signIn(page);
  await page.goto("/panel/settings/security");
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
}

async function createThroughDialog(page: Page, name: string, scope = "admin") {
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Scope").selectOption(scope);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  if (scope === "admin") await confirmAdmin(page);
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  await expect(secret).toBeVisible();
  return secret;
}

async function confirmAdmin(page: Page) {
  await page.getByRole("alertdialog", { name: "Create an admin token?" }).getByRole("button", { name: "Create admin token" }).click();
}

/** Toasts: Radix's "Notifications" region (it announces them through its own live region). */
const notices = (page: Page) => page.getByRole("region", { name: /^Notifications/ });

function rowOf(page: Page, name: string) {
  return page.getByRole("row").filter({ hasText: name });
}

test("create → copy (dialog = clipboard) → works as bearer → off fails → on works → delete fails", async ({ page, request }) => {
  await openSecurity(page);
  const name = unique("ci-deploy");
  const secret = await createThroughDialog(page, name);

  const shown = await secret.getByLabel("Your new API token").inputValue();
  expect(shown).toMatch(/^xui_[0-9A-Za-z]{36}$/);
  await expect(secret.getByText(/only time the token is shown/)).toBeVisible();
  await expect(secret.locator("pre")).toContainText(`Authorization: Bearer ${shown}`);
  await secret.getByRole("button", { name: "Copy" }).click();
  await expect(secret.getByRole("button", { name: "✓ Copied" })).toBeVisible();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  expect(clipboard).toBe(shown);
  await secret.getByRole("button", { name: "Done" }).click();
  await expect(secret).toBeHidden();
  // Closed: the plaintext is gone from the page.
  expect(await page.content()).not.toContain(shown);

  expect(await bearerStatus(request, shown)).toBe(200);

  const row = rowOf(page, name);
  const toggle = row.getByRole("switch");
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await expect.poll(() => bearerStatus(request, shown)).toBe(401);

  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await expect.poll(() => bearerStatus(request, shown)).toBe(200);

  await row.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog", { name: `Delete token “${name}”?` });
  await expect(confirm).toContainText("stop working immediately");
  await confirm.getByRole("button", { name: "Delete token" }).click();
  await expect(confirm).toBeHidden();
  await expect(rowOf(page, name)).toHaveCount(0);
  await expect(notices(page).getByText(`Token “${name}” deleted.`)).toBeVisible();
  expect(await bearerStatus(request, shown)).toBe(401);

  // After a reload the plaintext is nowhere in the DOM, the storage or the URL.
  await page.reload();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  expect(await page.content()).not.toContain(shown);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toContain(shown);
  expect(page.url()).not.toContain(shown);
});

test("closing the one-time dialog before copying asks first", async ({ page }) => {
  await openSecurity(page);
  const secret = await createThroughDialog(page, unique("no-copy"));
  const shown = await secret.getByLabel("Your new API token").inputValue();
  await page.keyboard.press("Escape");
  await expect(secret).toBeVisible();
  await expect(secret.getByRole("alert")).toContainText("haven’t copied the token");
  await secret.getByRole("button", { name: "Keep it open" }).click();
  await expect(secret.getByLabel("Your new API token")).toHaveValue(shown);
  await secret.getByRole("button", { name: "Close" }).click();
  await secret.getByRole("button", { name: "Close anyway" }).click();
  await expect(secret).toBeHidden();
  expect(await page.content()).not.toContain(shown);
});

test("without a Clipboard API (plain http on a LAN address), Copy selects the whole token and says how to copy it", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("not allowed")) } });
    document.execCommand = () => false;
  });
  await openSecurity(page);
  const secret = await createThroughDialog(page, unique("no-clipboard"));
  const field = secret.getByLabel("Your new API token");
  const shown = await field.inputValue();
  await secret.getByRole("button", { name: "Copy" }).click();
  await expect(secret.getByText("The token is selected: press Ctrl+C (⌘C on a Mac) to copy it.")).toBeVisible();
  await expect(field).toBeFocused();
  expect(await field.evaluate((el: HTMLInputElement) => el.value.slice(el.selectionStart ?? 0, el.selectionEnd ?? 0))).toBe(shown);
  // Not copied: closing still asks first.
  await secret.getByRole("button", { name: "Close", exact: true }).click();
  await expect(secret.getByRole("alert")).toContainText("haven’t copied the token");
});

test("a duplicate name shows the server's message under the Name field", async ({ page }) => {
  await openSecurity(page);
  const name = unique("dup");
  const secret = await createThroughDialog(page, name);
  await secret.getByRole("button", { name: "Copy" }).click();
  await secret.getByRole("button", { name: "Done" }).click();

  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByText("Another token already has this name. Pick a different one.")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  // The page behind a modal is hidden from assistive technology, so look after closing it.
  await expect(page.getByRole("button", { name: "New token" })).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(rowOf(page, name)).toHaveCount(1);
});

test("inline validation: empty and over-long names", async ({ page }) => {
  await openSecurity(page);
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByText("Give the token a name.")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("Name").fill("x".repeat(65));
  await expect(dialog.getByText("Use 64 characters or fewer for the name.")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test("keyboard only: create a token, copy it, close, focus returns", async ({ page }) => {
  await openSecurity(page);
  const newToken = page.getByRole("button", { name: "New token" });
  await newToken.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await expect(dialog.getByLabel("Name")).toBeFocused();
  const name = unique("kbd");
  await page.keyboard.type(name);
  // Tab cycles inside the dialog: from the last control back to the first.
  for (let i = 0; i < 8; i++) await page.keyboard.press("Tab");
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await dialog.getByLabel("Name").focus();
  await page.keyboard.press("Enter");
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  await expect(secret.getByRole("button", { name: "Copy" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(secret.getByRole("button", { name: "✓ Copied" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(secret).toBeHidden();
  await expect(newToken).toBeFocused();
  await expect(rowOf(page, name)).toHaveCount(1);
});

test("a refused toggle flips back and says why", async ({ page, request }) => {
  await openSecurity(page);
  const name = unique("rollback");
  const secret = await createThroughDialog(page, name);
  await secret.getByRole("button", { name: "Copy" }).click();
  await secret.getByRole("button", { name: "Done" }).click();
  const row = rowOf(page, name);
  await expect(row).toHaveCount(1);

  // Someone else deletes it behind the page's back.
  const admin = await mintAdminToken(request);
  const list = await (await request.get("/panel/api/setting/apiTokens", { headers: { Authorization: `Bearer ${admin}` } })).json();
  const id = list.obj.find((t: { name: string }) => t.name === name).id;
  await request.post(`/panel/api/setting/apiTokens/delete/${id}`, { headers: { Authorization: `Bearer ${admin}` } });

  await row.getByRole("switch").click();
  await expect(
    notices(page).getByText(`Could not disable “${name}”. This token no longer exists: it was deleted, perhaps in another tab.`),
  ).toBeVisible();
  // Rolled back, then the refetch shows the truth: the token is gone.
  await expect(rowOf(page, name)).toHaveCount(0);
});

const LIST = /\/panel\/api\/setting\/apiTokens(\?.*)?$/;

test("error and empty states, in words a person reads", async ({ page }) => {
  await signIn(page);
  await page.route(LIST, (route) =>
    route.fulfill({ status: 500, contentType: "application/json", body: '{"success":false,"msg":"database is locked","obj":null}' }),
  );
  await page.goto("/panel/settings/security");
  const failed = page.getByRole("alert").filter({ hasText: "Could not load the tokens." });
  await expect(failed).toContainText("The panel had a problem on its side and could not load the tokens. Try again in a moment.", { timeout: 15_000 });
  await expect(failed).not.toContainText("database is locked");
  await page.unroute(LIST);
  await page.route(LIST, (route) =>
    route.fulfill({
      status: 200,
      contentType: "application/json",
      body: '{"success":true,"msg":"","obj":{"items":[],"total":0,"nextCursor":null,"prevCursor":null}}',
    }),
  );
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByText("No API tokens yet")).toBeVisible();

  // Offline: the browser cannot reach the panel at all.
  await page.unroute(LIST);
  await page.route(LIST, (route) => route.abort("internetdisconnected"));
  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "Could not load the tokens." })).toContainText(
    "Cannot reach the panel. Check your connection and try again.",
    { timeout: 15_000 },
  );
});

test("1,000 tokens: paged, filterable, newest first", async ({ page }) => {
  const prefix = unique("bulk");
  await seedTokens(1000, prefix);
  await openSecurity(page);
  const rows = page.locator("tbody").getByRole("row");
  await expect(rows).toHaveCount(20);
  await expect(page.getByText(/^1–20 of [\d,]+$/)).toBeVisible();
  await expect(rows.first()).toContainText(`${prefix}-0999`);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(rows.first()).toContainText(`${prefix}-0979`);
  await page.getByLabel("Search tokens").fill(`${prefix}-000`);
  await expect(rows).toHaveCount(10);
  await expect(page.getByText(/^1–20/)).toHaveCount(0);
});

test("works at 375 px without horizontal scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await openSecurity(page);
  const name = unique("mobile");
  const secret = await createThroughDialog(page, name);
  await secret.getByRole("button", { name: "Copy" }).click();
  await secret.getByRole("button", { name: "Done" }).click();
  await expect(rowOf(page, name).getByRole("switch")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // Every tab in sight, none behind a sideways scroll.
  const tabs = page.getByRole("tablist", { name: "Security settings" });
  expect(await tabs.evaluate((list) => list.scrollWidth - list.clientWidth)).toBeLessThanOrEqual(0);
  for (const tab of await tabs.getByRole("tab").all()) await expect(tab).toBeInViewport({ ratio: 1 });
});

test("dark mode follows the system setting", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await openSecurity(page);
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: "light" });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(dark).not.toBe(light);
  const luminance = (rgb: string) => rgb.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
  expect(luminance(dark)).toBeLessThan(luminance(light));
});

test.describe("accessibility (axe: no violations at all)", () => {
  const scan = expectNoAxeViolations;

  for (const scheme of ["light", "dark"] as const) {
    test(`every state of the login and Security pages (${scheme})`, async ({ page }) => {
      test.setTimeout(180_000);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto("/login");
      await scan(page, "login");
      const expired = unique("axe-expired");
      await insertExpiredToken(expired, "monitor");
      await openSecurity(page);
      await scan(page, "list");

      await page.getByRole("button", { name: "New token" }).click();
      await scan(page, "create dialog");
      const dialog = page.getByRole("dialog", { name: "New API token" });
      await dialog.getByRole("button", { name: "Create", exact: true }).click();
      await dialog.getByLabel("Allowed IP addresses").fill("not-an-ip");
      await scan(page, "create dialog with errors");
      await dialog.getByLabel("Allowed IP addresses").fill("");
      await dialog.getByLabel("Name").fill(unique("axe"));
      await dialog.getByLabel("Scope").selectOption("admin");
      await dialog.getByRole("button", { name: "Create", exact: true }).click();
      await expect(page.getByRole("alertdialog", { name: "Create an admin token?" })).toBeVisible();
      await scan(page, "admin confirmation");
      await confirmAdmin(page);
      await expect(page.getByRole("dialog", { name: "Copy your new API token" })).toBeVisible();
      await scan(page, "secret dialog");
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByRole("button", { name: "Done" }).click();
      await expect(page.getByRole("button", { name: "New token" })).toBeFocused();

      await page.getByLabel("Search tokens").fill(expired);
      const row = rowOf(page, expired);
      await expect(row).toHaveCount(1);
      await row.getByRole("button", { name: /Scope monitor/ }).click();
      await expect(page.getByRole("list", { name: "Allowed routes" })).toBeVisible();
      await scan(page, "scope popover");
      await page.keyboard.press("Escape");

      await row.getByRole("button", { name: "Manage" }).click();
      const manage = page.getByRole("dialog", { name: `Token “${expired}”` });
      await scan(page, "manage dialog (expired token)");
      await manage.getByRole("button", { name: "Rotate token" }).click();
      await scan(page, "rotate confirmation");
      await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
      await manage.getByRole("button", { name: "Close", exact: true }).click();

      await row.getByRole("button", { name: "Delete" }).click();
      await scan(page, "delete confirmation");
      await page.getByRole("alertdialog").getByRole("button", { name: "Delete token" }).click();
      await expect(notices(page).getByText(/deleted/)).toBeVisible();
      await scan(page, "toast");
      await page.getByLabel("Search tokens").fill("no-such-token-anywhere");
      await expect(page.getByText("No token matches these filters.")).toBeVisible();
      await scan(page, "no matches");

      await page.getByRole("tab", { name: "Admin credentials" }).click();
      await page.getByRole("button", { name: "Update credentials" }).click();
      await scan(page, "credentials with errors");
      await page.getByRole("tab", { name: "Audit log" }).click();
      await expect(page.getByRole("tabpanel", { name: "Audit log" }).getByRole("row").nth(1)).toBeVisible();
      await scan(page, "audit log");
      await page.setViewportSize({ width: 375, height: 812 });
      await scan(page, "audit log at 375 px");
    });
  }
});

test("screenshots: desktop 1280 and mobile 375, light and dark", async ({ page, request }, testInfo) => {
  test.setTimeout(240_000);
  const name = unique("grafana");
  const api = await adminApi(request);
  await api.create({ name: unique("ci-deploy"), scope: "admin", allowedIps: ["203.0.113.0/24"], description: "GitHub Actions deploy job", expiresAt: Date.now() + 3 * 86_400_000 });
  await api.create({ name: unique("status-bot"), scope: "node-sync", expiresAt: Date.now() + 90 * 86_400_000 });
  await insertExpiredToken(unique("old-monitor"), "monitor");
  for (const { width, height, scheme, tag } of SCREENSHOT_MODES) {
    await page.setViewportSize({ width, height });
    await page.emulateMedia({ colorScheme: scheme });
    await page.context().clearCookies();
    await page.goto("/login");
    await snap(page, testInfo, `login-${tag}`);
    await openSecurity(page);
    await expect(page.locator("tbody").getByRole("row").first()).toBeVisible();
    await snap(page, testInfo, `security-${tag}`);

    await page.getByRole("button", { name: "New token" }).click();
    const dialog = page.getByRole("dialog", { name: "New API token" });
    await dialog.getByLabel("Name").fill(`${name}-${tag}`);
    await dialog.getByLabel("Allowed IP addresses").fill("10.0.0.0/8");
    await snap(page, testInfo, `create-dialog-${tag}`, { fullPage: false });
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    const secret = page.getByRole("dialog", { name: "Copy your new API token" });
    await secret.getByRole("button", { name: "Copy" }).click();
    await snap(page, testInfo, `secret-dialog-${tag}`, { fullPage: false });
    await secret.getByRole("button", { name: "Done" }).click();

    const first = page.locator("tbody").getByRole("row").first();
    await first.getByRole("button", { name: "Manage" }).click();
    await expect(page.getByRole("dialog", { name: /^Token “/ })).toBeVisible();
    await snap(page, testInfo, `manage-dialog-${tag}`, { fullPage: false });
    await page.getByRole("dialog", { name: /^Token “/ }).getByRole("button", { name: "Close", exact: true }).click();

    await first.getByRole("button", { name: /^Scope / }).click();
    await expect(page.getByRole("list", { name: "Allowed routes" })).toBeVisible();
    await snap(page, testInfo, `scope-popover-${tag}`, { fullPage: false });
    await page.keyboard.press("Escape");

    await page.getByRole("tab", { name: "Admin credentials" }).click();
    await snap(page, testInfo, `credentials-${tag}`);
    await page.getByRole("tab", { name: "Audit log" }).click();
    await expect(page.getByRole("tabpanel", { name: "Audit log" }).getByRole("row").nth(1)).toBeVisible();
    await snap(page, testInfo, `audit-${tag}`);
  }
});

test("mobile rows are compact at 375 px", async ({ page }) => {
  const prefix = unique("compact");
  await seedTokens(5, prefix);
  await page.setViewportSize({ width: 375, height: 812 });
  await openSecurity(page);
  await page.getByLabel("Search tokens").fill(prefix);
  const rows = page.locator("tbody").getByRole("row");
  await expect(rows).toHaveCount(5);
  for (const height of await rows.evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height))) {
    expect(height).toBeLessThanOrEqual(120);
  }
});
