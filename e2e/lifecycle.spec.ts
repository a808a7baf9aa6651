import { expect, test, type Page } from "@playwright/test";
import { adminApi, bearerStatus, expectNoAxeViolations, postsTo, SCREENSHOT_MODES, signIn, snap, TOKENS_API, unique, type TokenJson } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

async function createToken(page: Page, name: string, scope = "admin"): Promise<string> {
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Scope").selectOption(scope);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  if (scope === "admin") {
    await page.getByRole("alertdialog", { name: "Create an admin token?" }).getByRole("button", { name: "Create admin token" }).click();
  }
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  const plaintext = await secret.getByLabel("Your new API token").inputValue();
  await secret.getByRole("button", { name: "Copy" }).click();
  await secret.getByRole("button", { name: "Done" }).click();
  return plaintext;
}

const rowOf = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });

test.beforeEach(async ({ page }) => {
  await signIn(page);
  await page.goto("/panel/settings/security");
});

test("rotate with a grace period: new secret shown once, old one keeps working meanwhile", async ({ page, request }, testInfo) => {
  const name = unique("rotate-ui");
  const old = await createToken(page, name);
  await rowOf(page, name).getByRole("button", { name: "Manage" }).click();
  const details = page.getByRole("dialog", { name: `Token “${name}”` });
  await details.getByLabel("Grace period").selectOption("3600");
  await snap(page, testInfo, "manage-dialog-1280-light");
  await details.getByRole("button", { name: "Rotate token" }).click();
  await page.getByRole("alertdialog", { name: `Rotate “${name}”?` }).getByRole("button", { name: "Rotate now" }).click();

  const secret = page.getByRole("dialog", { name: "Copy the rotated API token" });
  const fresh = await secret.getByLabel("Your new API token").inputValue();
  expect(fresh).toMatch(/^xui_/);
  expect(fresh).not.toBe(old);
  await secret.getByRole("button", { name: "Copy" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(fresh);
  await secret.getByRole("button", { name: "Done" }).click();

  expect(await bearerStatus(request, fresh)).toBe(200);
  expect(await bearerStatus(request, old)).toBe(200);
  await expect(rowOf(page, name)).toContainText("old secret valid until");
  expect(await page.content()).not.toContain(fresh);
});

test("an old secret used after its grace is refused, and the page says someone still has it", async ({ page, request }, testInfo) => {
  test.setTimeout(90_000);
  const api = await adminApi(request);
  const name = unique("reused-ui");
  const created = await api.create({ name, scope: "monitor" });
  const rotated = await api.post<TokenJson>(`${TOKENS_API}/rotate/${created.id}`, { graceSeconds: 1 });
  expect(rotated.success, rotated.msg).toBe(true);
  await page.waitForTimeout(1_200);
  expect(await bearerStatus(request, created.token!)).toBe(401);
  expect(await bearerStatus(request, rotated.obj.token!)).toBe(200);

  // The flag is written in the background: reload until the row shows it.
  await expect(async () => {
    await page.goto("/panel/settings/security");
    await expect(rowOf(page, name)).toContainText("Old secret used after rotation", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await snap(page, testInfo, "reuse-flag-row-1280-light", { fullPage: false });
  await rowOf(page, name).getByRole("button", { name: "Manage" }).click();
  const details = page.getByRole("dialog", { name: `Token “${name}”` });
  await expect(details).toContainText("It was refused, but whoever sent it has a copy");
  await expectNoAxeViolations(page, "manage dialog of a token whose old secret was reused");
  for (const mode of SCREENSHOT_MODES) {
    await page.setViewportSize({ width: mode.width, height: mode.height });
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.waitForTimeout(400); // colour transitions
    await snap(page, testInfo, `reuse-flag-${mode.tag}`, { fullPage: false });
  }
});

test("a canary token made on the page never works and is marked as a canary", async ({ page, request }, testInfo) => {
  const name = unique("canary-ui");
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  const box = dialog.getByRole("checkbox", { name: "Canary token" });
  await expect(box).toHaveAccessibleDescription(/never works, and every use is recorded/);
  await box.check();
  await expectNoAxeViolations(page, "create dialog with the canary box ticked");
  for (const mode of SCREENSHOT_MODES.filter((m) => m.tag === "1280-light" || m.tag === "375-dark")) {
    await page.setViewportSize({ width: mode.width, height: mode.height });
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.waitForTimeout(400); // colour transitions
    await snap(page, testInfo, `canary-create-${mode.tag}`, { fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });
  await dialog.getByRole("button", { name: "Create", exact: true }).dblclick();
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  const plaintext = await secret.getByLabel("Your new API token").inputValue();
  await secret.getByRole("button", { name: "Copy" }).click();
  await secret.getByRole("button", { name: "Done" }).click();
  expect(await bearerStatus(request, plaintext)).toBe(401);
  await expect(rowOf(page, name)).toContainText("canary");
  expect(await page.getByRole("row").filter({ hasText: name }).count()).toBe(1);
  await snap(page, testInfo, "canary-row-1280-light", { fullPage: false });
});

test("edit: an IP allowlist is validated, saved and shown; the token is refused from elsewhere", async ({ page, request }) => {
  const name = unique("ip-ui");
  const token = await createToken(page, name);
  await rowOf(page, name).getByRole("button", { name: "Manage" }).click();
  const details = page.getByRole("dialog", { name: `Token “${name}”` });
  await details.getByLabel("Allowed IP addresses").fill("10.0.0.0/33");
  await details.getByRole("button", { name: "Save changes" }).click();
  await expect(details.getByLabel("Allowed IP addresses")).toHaveAccessibleDescription(
    /^“10\.0\.0\.0\/33” is not an IP address or CIDR range \(e\.g\. 203\.0\.113\.0\/24\)\./,
  );
  await details.getByLabel("Allowed IP addresses").fill("203.0.113.0/24\n2001:db8::/32");
  await details.getByRole("button", { name: "Save changes" }).click();
  // The outcome is said inside the dialog, where the focus is.
  await expect(details.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await details.getByRole("button", { name: "Close", exact: true }).click();
  await expect(rowOf(page, name)).toContainText("2 IP ranges only");
  // The browser and the test talk to the server from 127.0.0.1, which is not allowed.
  expect(await bearerStatus(request, token)).toBe(401);
});

test("the scope badge shows what the token can do", async ({ page }) => {
  const name = unique("perm-ui");
  await createToken(page, name, "monitor");
  await rowOf(page, name).getByRole("button", { name: /Scope monitor/ }).click();
  const allowed = page.getByRole("list", { name: "Allowed routes" });
  await expect(allowed.getByRole("listitem")).toHaveText(["GET/panel/api/server/status", "GET/panel/api/setting/apiTokens/self"]);
  await page.keyboard.press("Escape");
  await expect(allowed).toBeHidden();
});

test("last used appears after the token is used", async ({ page, request }) => {
  const name = unique("used");
  const token = await createToken(page, name);
  await expect(rowOf(page, name).getByRole("cell").nth(4)).toHaveText("Never", { useInnerText: true });
  expect(await bearerStatus(request, token)).toBe(200);
  await page.reload();
  await expect(rowOf(page, name).getByRole("cell").nth(4)).toHaveText(/now|second|minute/, { useInnerText: true });
});

test("the Audit log tab lists changes with their actor and filters by action and token", async ({ page }, testInfo) => {
  const name = unique("audit-ui");
  await createToken(page, name);
  await rowOf(page, name).getByRole("switch").click();
  await expect(rowOf(page, name).getByRole("switch")).toHaveAttribute("aria-checked", "false");
  await page.getByRole("tab", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\?tab=audit$/);
  const panel = page.getByRole("tabpanel", { name: "Audit log" });
  await expect(panel.getByRole("row").filter({ hasText: name }).filter({ hasText: "Created token" })).toHaveCount(1);
  await expect(panel.getByRole("row").filter({ hasText: name }).filter({ hasText: "Disabled token" })).toContainText("admin (signed in)");
  await panel.getByLabel("Action").selectOption("token.disable");
  await expect(panel.locator("tbody").getByRole("row").filter({ hasText: "Created token" })).toHaveCount(0);
  await panel.getByLabel("Action").selectOption("");
  await panel.getByLabel("Token").fill(name);
  await expect(panel.locator("tbody").getByRole("row")).toHaveCount(2);
  await snap(page, testInfo, "audit-1280-light");
});

test("Manage shows what a token called and narrows its scope to that in one click", async ({ page, request }, testInfo) => {
  const name = unique("narrow-ui");
  const token = await createToken(page, name);
  expect(await bearerStatus(request, token)).toBe(200);
  expect(await bearerStatus(request, token)).toBe(200);
  await rowOf(page, name).getByRole("button", { name: "Manage" }).click();
  const details = page.getByRole("dialog", { name: `Token “${name}”` });
  const usage = details.getByRole("region", { name: "Usage" });
  await expect(usage).toContainText(/^UsageUsed 1 of \d+ routes its scope allows in the last 30 days\./);
  await expect(usage.getByRole("list", { name: "Routes called" }).getByRole("listitem")).toHaveText([/^GET\s*\/panel\/api\/server\/status\s*2 calls, last on \d{4}-\d\d-\d\d$/]);
  await expect(usage).toContainText("A monitor token would still allow everything it called, with fewer routes open.");
  await expectNoAxeViolations(page, "manage dialog with a usage suggestion");
  await usage.scrollIntoViewIfNeeded();
  for (const mode of SCREENSHOT_MODES.filter((m) => m.tag === "1280-dark" || m.tag === "375-light")) {
    await page.setViewportSize({ width: mode.width, height: mode.height });
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.waitForTimeout(400); // colour transitions
    await usage.scrollIntoViewIfNeeded();
    await snap(page, testInfo, `usage-${mode.tag}`, { fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });

  const edits = postsTo(page, /\/apiTokens\/update\//);
  await usage.getByRole("button", { name: "Switch to monitor" }).dblclick();
  await expect(usage.getByRole("status").filter({ hasText: "Scope changed to monitor" })).toBeVisible();
  expect(edits).toHaveLength(1);
  await details.getByRole("button", { name: "Close", exact: true }).click();
  await expect(rowOf(page, name).getByRole("button", { name: /Scope monitor/ })).toBeVisible();
  expect(await bearerStatus(request, token)).toBe(200);
});
