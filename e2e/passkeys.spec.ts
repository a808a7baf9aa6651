import { expect, test, type CDPSession, type Page } from "@playwright/test";
import { freePort } from "../tests/support/process";
import { startPanelServer, type PanelServer } from "../tests/support/server";
import { expectNoAxeViolations, SCREENSHOT_MODES } from "./support";

/**
 * Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain).
 * WebAuthn refuses IP addresses as RP IDs, so this spec runs a server of its
 * own, opened at http://localhost:<port> (a secure context over plain HTTP),
 * with PANEL_RP_ID=localhost and PANEL_ORIGIN naming that address.
 */
const ADMIN = { username: "admin", password: "e2e-passkey-password-1" };
const SHOTS = "/work/scratch/shots/passkeys";

let server: PanelServer;
let base: string;

test.beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = await startPanelServer({
    port,
    env: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, PANEL_RP_ID: "localhost", PANEL_ORIGIN: base },
  });
});

test.afterAll(async () => {
  await server?.stop();
});

async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

async function passwordSignIn(page: Page) {
  await page.goto(`${base}/login?next=%2Fpanel%2Fsettings%2Fsecurity%3Ftab%3Dpasskeys`);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Passkeys" })).toBeVisible();
}

async function addPasskey(page: Page, name: string) {
  await page.getByRole("button", { name: "Add a passkey" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a passkey" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("list", { name: "Your passkeys" }).getByText(name, { exact: true })).toBeVisible();
}

test("register a passkey on the Security page, sign out, and sign in with it", async ({ page }) => {
  const { cdp, id } = await virtualAuthenticator(page);
  await passwordSignIn(page);
  await expect(page.getByText("No passkeys yet")).toBeVisible();
  await addPasskey(page, "Chromium virtual key");
  await expect(page.getByText("never used yet")).toBeVisible();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId: id });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.isResidentCredential).toBe(true);

  // A click before hydration does nothing: click until the sign-out navigates (and not again once it has).
  await expect(async () => {
    if (!/\/login$/.test(page.url())) await page.getByRole("button", { name: "Log out" }).click({ timeout: 2_000 });
    await expect(page).toHaveURL(/\/login$/, { timeout: 3_000 });
  }).toPass({ timeout: 15_000 });

  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);
  await expect(page.getByText(`Signed in as ${ADMIN.username}`)).toBeVisible();
  await page.goto(`${base}/panel/settings/security?tab=passkeys`);
  await expect(page.getByText(/last used/)).toBeVisible();
});

test("a closed passkey prompt adds nothing and says so", async ({ page }) => {
  const { cdp, id } = await virtualAuthenticator(page);
  await passwordSignIn(page);
  const list = page.getByRole("list", { name: "Your passkeys" });
  await expect(list.or(page.getByText("No passkeys yet"))).toBeVisible();
  const before = await list.getByRole("listitem").count();
  // An authenticator that cannot verify the user refuses the ceremony, as a closed prompt does.
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId: id, isUserVerified: false });
  await page.getByRole("button", { name: "Add a passkey" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a passkey" });
  await dialog.getByLabel("Name").fill("never added");
  await dialog.getByRole("button", { name: "Continue" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("The passkey prompt was closed — nothing was added.");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("never added")).toHaveCount(0);
  await expect(list.getByRole("listitem")).toHaveCount(before);
});

test("rename and remove a passkey", async ({ page }) => {
  await virtualAuthenticator(page);
  await passwordSignIn(page);
  await addPasskey(page, "to rename");
  await page.getByRole("button", { name: "Rename passkey to rename" }).click();
  const rename = page.getByRole("dialog", { name: /Rename passkey/ });
  await rename.getByLabel("Name").fill("");
  await rename.getByRole("button", { name: "Save name" }).click();
  await expect(rename.getByText("Give the passkey a name.")).toBeVisible();
  await rename.getByLabel("Name").fill("Renamed key");
  await rename.getByRole("button", { name: "Save name" }).dblclick();
  await expect(rename).toBeHidden();
  const list = page.getByRole("list", { name: "Your passkeys" });
  await expect(list.getByText("Renamed key", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Remove passkey Renamed key" }).click();
  const confirm = page.getByRole("alertdialog", { name: /Remove passkey/ });
  await expect(confirm).toContainText("every other session of yours is signed out");
  await confirm.getByRole("button", { name: "Remove passkey" }).dblclick();
  await expect(confirm).toBeHidden();
  await expect(list.getByText("Renamed key", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "removed" })).toBeVisible();
});

test("axe finds nothing, and screenshots at 1280 and 375 px, light and dark", async ({ page }) => {
  // Twelve axe runs and twelve screenshots: more than the default minute on a busy 2-core machine.
  test.setTimeout(180_000);
  await virtualAuthenticator(page);
  await passwordSignIn(page);
  if ((await page.getByText("Screenshot key").count()) === 0) await addPasskey(page, "Screenshot key");
  for (const mode of SCREENSHOT_MODES) {
    await page.setViewportSize({ width: mode.width, height: mode.height });
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.goto(`${base}/panel/settings/security?tab=passkeys`);
    await expect(page.getByText("Screenshot key")).toBeVisible();
    await expectNoAxeViolations(page, `passkeys tab ${mode.tag}`);
    await page.screenshot({ path: `${SHOTS}/security-passkeys-${mode.tag}.png`, fullPage: true });
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("dialog", { name: "Add a passkey" })).toBeVisible();
    await expectNoAxeViolations(page, `add dialog ${mode.tag}`);
    await page.screenshot({ path: `${SHOTS}/add-dialog-${mode.tag}.png` });
    await page.keyboard.press("Escape");
  }
  await page.context().clearCookies();
  for (const mode of SCREENSHOT_MODES) {
    await page.setViewportSize({ width: mode.width, height: mode.height });
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.goto(`${base}/login`);
    await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeEnabled();
    await expectNoAxeViolations(page, `login ${mode.tag}`);
    await page.screenshot({ path: `${SHOTS}/login-${mode.tag}.png`, fullPage: true });
  }
});
