import { expect, test } from "@playwright/test";
import { adminApi, expectNoAxeViolations, postsTo, signIn, snap, snapEveryMode, unique, type AdminApi } from "./support";

/**
 * Settings → Security → Token policies: saving rules on the page, the create
 * form following them, and older tokens flagged (issue 17, point 7). The
 * suite runs serially on one server, so each test puts the policy back.
 */
const POLICY = "/panel/api/setting/tokenPolicy";
const NO_RULES = { maxLifetimeDays: 0, defaultExpiryDays: 0, adminRequiresAllowlist: false, disableOnReuse: false };

let api: AdminApi;
test.beforeEach(async ({ page, request }) => {
  api = await adminApi(request);
  await api.post(`${POLICY}/update`, NO_RULES);
  await signIn(page);
});
test.afterEach(async () => {
  await api.post(`${POLICY}/update`, NO_RULES);
});

test("rules saved on the page bind the create form, and a token made before them is flagged", async ({ page }, testInfo) => {
  const old = unique("pre-policy");
  await api.create({ name: old, scope: "monitor" });

  await page.goto("/panel/settings/security?tab=policies");
  const section = page.getByRole("region", { name: "Token policies" });
  await expect(section.getByText("Never changed: no rules apply.")).toBeVisible();
  await section.getByLabel("Maximum lifetime (days)").fill("abc");
  const posts = postsTo(page, /\/tokenPolicy\/update$/);
  await section.getByRole("button", { name: "Save policy" }).click();
  await expect(section.getByLabel("Maximum lifetime (days)")).toHaveAccessibleDescription(/^Enter a whole number of days up to 3650, or leave it empty for none\./);
  await section.getByLabel("Maximum lifetime (days)").fill("30");
  await section.getByLabel("Default expiry (days)").fill("45");
  await section.getByRole("button", { name: "Save policy" }).click();
  await expect(section.getByLabel("Default expiry (days)")).toHaveAccessibleDescription(/^The default expiry cannot be longer than the maximum lifetime\./);
  expect(posts).toEqual([]);
  await section.getByLabel("Default expiry (days)").fill("7");
  await section.getByRole("checkbox", { name: "Admin-scope tokens need an IP allowlist" }).check();
  await section.getByRole("button", { name: "Save policy" }).dblclick();
  await expect(page.getByRole("status").filter({ hasText: "Token policy saved." })).toBeVisible();
  expect(posts).toHaveLength(1);
  await expect(section.getByRole("status").filter({ hasText: /tokens? breaks? this policy/ })).toBeVisible();
  await expect(section.getByText(/^Last changed /)).toBeVisible();
  await expect(section.getByRole("button", { name: "Save policy" })).toBeDisabled();
  expect(await api.get(POLICY)).toMatchObject({ maxLifetimeDays: 30, defaultExpiryDays: 7, adminRequiresAllowlist: true, disableOnReuse: false });

  await expectNoAxeViolations(page, "token policies tab");
  await snapEveryMode(page, testInfo, "policies");

  // "Show them": the list filtered to the tokens that break it, the old one among them, marked.
  await section.getByRole("link", { name: /^Show (it|them)$/ }).click();
  await expect(page.getByLabel("Status")).toHaveValue("violating");
  const row = page.getByRole("row").filter({ hasText: old });
  await expect(row).toContainText("breaks policy");
  await row.getByRole("button", { name: "Manage" }).click();
  const details = page.getByRole("dialog", { name: `Token “${old}”` });
  await expect(details).toContainText("It never expires, but the token policy requires an expiry.");
  await expect(details).toContainText("the new secret expires 30 days from now");
  await snap(page, testInfo, "policies-flagged-manage-1280-light", { fullPage: false });
  await details.getByRole("button", { name: "Close", exact: true }).click();

  // The create form: the default preselected, nothing beyond the cap, the allowlist asked for.
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  const expiry = dialog.getByLabel("Expiration");
  await expect(expiry).toHaveValue("7");
  await expect(expiry.locator("option")).toHaveText(["7 days", "30 days", "On a date…"]);
  await expect(expiry).toHaveAccessibleDescription(/The token policy allows at most 30 days\./);
  await dialog.getByLabel("Name").fill(unique("policy-admin"));
  await dialog.getByLabel("Scope").selectOption("admin");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByLabel("Allowed IP addresses")).toHaveAccessibleDescription(
    /^The token policy requires an IP allowlist on admin-scope tokens\. Add the addresses it will be used from\./,
  );
  await snap(page, testInfo, "policies-create-refused-1280-light", { fullPage: false });
  await expectNoAxeViolations(page, "create dialog under a token policy");
  // A canary is exempt: every choice is back.
  await dialog.getByRole("checkbox", { name: "Canary token" }).check();
  await expect(expiry.locator("option")).toHaveText(["7 days", "30 days", "90 days", "1 year", "Never", "On a date…"]);
});

test("a refusal from the server (a rule saved meanwhile in another tab) is shown under the field", async ({ page }) => {
  await page.goto("/panel/settings/security");
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(unique("late-rule"));
  await dialog.getByLabel("Scope").selectOption("monitor");
  await dialog.getByLabel("Expiration").selectOption("never");
  await api.post(`${POLICY}/update`, { maxLifetimeDays: 30 });
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByLabel("Expiration")).toHaveAccessibleDescription(/^The token policy requires an expiry within 30 days\. Pick one\./);
});
