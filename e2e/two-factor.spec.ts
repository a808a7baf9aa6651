import { mkdirSync } from "node:fs";
import { createClient } from "@libsql/client";
import { expect, test, type Page } from "@playwright/test";
import * as OTPAuth from "otpauth";
import { E2E_ADMIN } from "./global-setup";
import { expectNoAxeViolations, SCREENSHOT_MODES } from "./support";

/**
 * Two-factor sign-in from the page, in Chromium: set it up on the Security
 * page (the key read off the page, codes computed here as an authenticator app
 * would), sign out, sign in with a code, then with a recovery code, which is
 * refused the second time.
 */
const SHOTS = "/work/scratch/shots/totp";
const totp = (secret: string, at = Date.now()) =>
  OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: at });

async function shots(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const { width, height, scheme, tag } of SCREENSHOT_MODES) {
    await page.setViewportSize({ width, height });
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SHOTS}/${name}-${tag}.png`, fullPage: false });
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });
}

async function passwordStep(page: Page): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Enter the 6-digit code from your authenticator app (or a recovery code).")).toBeVisible();
}

async function logOut(page: Page): Promise<void> {
  // A click before hydration does nothing: click again until the sign-out navigates.
  await expect(async () => {
    if (!/\/login$/.test(page.url())) await page.getByRole("button", { name: "Log out" }).click({ timeout: 2_000 });
    await expect(page).toHaveURL(/\/login$/, { timeout: 3_000 });
  }).toPass({ timeout: 15_000 });
}

// The suite shares one admin: whatever happens here, it leaves with 2FA off.
test.afterAll(async () => {
  const db = createClient({ url: process.env.XUI_E2E_DATABASE_URL! });
  await db.batch(["DELETE FROM recovery_codes", "DELETE FROM two_factor"], "write");
  db.close();
});

test("enrol TOTP from the page, then sign in with a code and with a recovery code (refused the second time)", async ({ page }) => {
  test.setTimeout(300_000); // 32 screenshots and 8 axe scans on a shared 2-core machine
  await page.goto("/login");
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);

  await page.goto("/panel/settings/security?tab=two-factor");
  const section = page.getByRole("region", { name: "Two-factor sign-in" });
  await expect(section.getByText("Only the password protects this admin.")).toBeVisible();
  await expectNoAxeViolations(page, "2FA off");
  await shots(page, "01-off");

  await section.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const dialog = page.getByRole("dialog", { name: "Set up two-factor sign-in" });
  await expect(dialog.getByRole("img", { name: "QR code to scan with your authenticator app" })).toBeVisible();
  const secret = (await dialog.getByTestId("two-factor-secret").innerText()).replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expectNoAxeViolations(page, "setup dialog");
  await shots(page, "02-setup");

  await dialog.getByLabel("Code from the app").fill("000000");
  await dialog.getByRole("button", { name: "Turn on" }).click();
  await expect(dialog.getByRole("alert")).toContainText("That code is not right.");
  await shots(page, "03-setup-wrong-code");
  await dialog.getByLabel("Code from the app").fill(totp(secret));
  // Two quick clicks: one request (the second would be refused as a replayed code).
  await dialog.getByRole("button", { name: "Turn on" }).dblclick();

  const saved = page.getByRole("dialog", { name: "Save your recovery codes" });
  await expect(saved.getByRole("listitem")).toHaveCount(10);
  const codes = await saved.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allInnerTexts();
  expect(codes).toHaveLength(10);
  await expectNoAxeViolations(page, "recovery codes");
  await shots(page, "04-recovery-codes");
  const download = page.waitForEvent("download");
  await saved.getByRole("button", { name: "Download as .txt" }).click();
  expect((await download).suggestedFilename()).toBe("xui-panel-recovery-codes.txt");
  await saved.getByRole("button", { name: "I saved them" }).click();
  await expect(section.getByText("10 recovery codes left.")).toBeVisible();
  await expectNoAxeViolations(page, "2FA on");
  await shots(page, "05-on");

  await logOut(page);
  await passwordStep(page);
  await expectNoAxeViolations(page, "login code step");
  await shots(page, "06-login-code-step");
  // The enable used this step's code; an app a step ahead shows the next one.
  await page.getByLabel("Two-factor code").fill(totp(secret, Date.now() + 30_000));
  await page.getByRole("button", { name: "Verify and log in" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);

  await logOut(page);
  await passwordStep(page);
  await page.getByLabel("Two-factor code").fill(codes[0]!);
  await page.getByRole("button", { name: "Verify and log in" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);
  await page.goto("/panel/settings/security?tab=two-factor");
  await expect(page.getByText("9 recovery codes left.")).toBeVisible();

  await logOut(page);
  await passwordStep(page);
  await page.getByLabel("Two-factor code").fill(codes[0]!);
  await page.getByRole("button", { name: "Verify and log in" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("Invalid username or password or two-factor code.");
  await expect(page).toHaveURL(/\/login$/);
  await expectNoAxeViolations(page, "login code refused");
  await shots(page, "07-login-code-refused");

  // Another recovery code gets in; new codes void the old ones; turning it off asks a code too.
  await page.getByLabel("Two-factor code").fill(codes[1]!);
  await page.getByRole("button", { name: "Verify and log in" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);
  await page.goto("/panel/settings/security?tab=two-factor");
  await section.getByRole("button", { name: "Make new recovery codes" }).click();
  const renew = page.getByRole("dialog", { name: "Make new recovery codes?" });
  await renew.getByLabel("Code").fill(codes[2]!);
  await expectNoAxeViolations(page, "regenerate dialog");
  await renew.getByRole("button", { name: "Make new codes" }).click();
  const renewed = page.getByRole("dialog", { name: "Save your new recovery codes" });
  await expect(renewed.getByRole("listitem")).toHaveCount(10);
  const fresh = await renewed.getByRole("listitem").allInnerTexts();
  expect(fresh.some((c) => codes.includes(c))).toBe(false);
  await renewed.getByRole("button", { name: "I saved them" }).click();
  await expect(section.getByText("10 recovery codes left.")).toBeVisible();

  await section.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
  const off = page.getByRole("dialog", { name: "Turn off two-factor sign-in?" });
  await off.getByLabel("Code").fill(codes[3]!); // voided by the new set
  await off.getByRole("button", { name: "Turn off" }).click();
  await expect(off.getByRole("alert")).toContainText("That code is not right.");
  await expectNoAxeViolations(page, "turn off dialog with an error");
  await shots(page, "08-turn-off-wrong-code");
  await off.getByLabel("Code").fill(fresh[0]!);
  await off.getByRole("button", { name: "Turn off" }).click();
  // The toast first: it goes after 4 s.
  await expect(page.getByText("Two-factor sign-in is off. Your other sessions were signed out.", { exact: true })).toBeVisible();
  await expect(section.getByText("Only the password protects this admin.")).toBeVisible();

  await logOut(page);
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);
});
