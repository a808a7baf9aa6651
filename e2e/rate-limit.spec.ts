import { expect, test, type Page } from "@playwright/test";
import { bearerStatus, expectNoAxeViolations, SCREENSHOT_MODES, signIn, snap, unique } from "./support";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const RATE = "Rate limit (requests per minute)";
const rowOf = (page: Page, name: string) => page.getByRole("row").filter({ hasText: name });

async function scan(page: Page, state: string) {
  // Dialogs fade in: half-transparent colours would fail the contrast check.
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
  await expectNoAxeViolations(page, state);
}

/** Fills the create dialog for a monitor token with the given rate limit and creates it; returns the plaintext. */
async function createLimited(page: Page, name: string, rate: string): Promise<string> {
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Scope").selectOption("monitor");
  await dialog.getByLabel(RATE).fill(rate);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  const plaintext = await secret.getByLabel("Your new API token").inputValue();
  await secret.getByRole("button", { name: "Copy" }).click();
  await secret.getByRole("button", { name: "Done" }).click();
  return plaintext;
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
  await page.goto("/panel/settings/security");
});

test("rate limit: validated in the create dialog, enforced, shown and cleared in the manage dialog", async ({ page, request }) => {
  const name = unique("rate-ui");
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel(RATE).fill("ten");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByLabel(RATE)).toHaveAccessibleDescription(/^Enter a whole number from 0 to 1,000,000, or leave it empty for no limit\./);
  await dialog.getByRole("button", { name: "Cancel" }).click();

  const token = await createLimited(page, name, "2");
  expect(await bearerStatus(request, token)).toBe(200);
  expect(await bearerStatus(request, token)).toBe(200);
  expect(await bearerStatus(request, token)).toBe(429);

  await rowOf(page, name).getByRole("button", { name: "Manage" }).click();
  const details = page.getByRole("dialog", { name: `Token “${name}”` });
  await expect(details).toContainText("2 requests per minute");
  await expect(details.getByLabel(RATE)).toHaveValue("2");
  await details.getByLabel(RATE).fill("");
  await details.getByRole("button", { name: "Save changes" }).click();
  await expect(details.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(details).toContainText("No limit");
  await expect(details.getByLabel(RATE)).toHaveValue("");
  expect(await bearerStatus(request, token)).toBe(200);
});

test("rate limit field: screenshots at 1280 and 375, light and dark, no accessibility violations", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  const name = unique("rate-shot");
  await createLimited(page, name, "120");
  for (const { width, height, scheme, tag } of SCREENSHOT_MODES) {
    await page.setViewportSize({ width, height });
    await page.emulateMedia({ colorScheme: scheme });
    // A fresh page in the new scheme: colours mid-transition would fail the contrast check.
    await page.goto("/panel/settings/security");

    await page.getByRole("button", { name: "New token" }).click();
    const dialog = page.getByRole("dialog", { name: "New API token" });
    await dialog.getByLabel("Name").fill(`${name}-${tag}`);
    await dialog.getByLabel(RATE).fill("-5");
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    // The pointer off the button: the scan is about the resting dialog, not a hover colour.
    await page.mouse.move(0, 0);
    await dialog.getByLabel(RATE).scrollIntoViewIfNeeded();
    await scan(page, `create dialog with a bad rate limit (${tag})`);
    await snap(page, testInfo, `rate-limit-create-${tag}`, { fullPage: false });
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await page.getByLabel("Search tokens").fill(name);
    // The filtered page, settled (a list being refetched is dimmed).
    await expect(page.locator("tbody").getByRole("row")).toHaveCount(1);
    await page.waitForLoadState("networkidle");
    await rowOf(page, name).getByRole("button", { name: "Manage" }).click();
    const details = page.getByRole("dialog", { name: `Token “${name}”` });
    await details.getByLabel(RATE).scrollIntoViewIfNeeded();
    await scan(page, `manage dialog with a rate limit (${tag})`);
    await snap(page, testInfo, `rate-limit-manage-${tag}`, { fullPage: false });
    await details.getByRole("button", { name: "Close", exact: true }).click();
  }
});
