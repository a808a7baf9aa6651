import { createHash } from "node:crypto";
import { createClient } from "@libsql/client";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { runPanel } from "../tests/support/cli";
import { expectNoAxeViolations, SCREENSHOT_MODES, snap, unique } from "./support";

/** An admin of this spec's own (made with the CLI): signing "everyone else" out touches no other spec. */
async function ownAdmin(): Promise<{ username: string; password: string }> {
  const who = { username: unique("sessions-e2e"), password: "sessions-e2e-password" };
  const made = await runPanel(["admin", "reset", "--username", who.username, "--password", who.password], process.env.XUI_E2E_DATABASE_URL!);
  expect(made.code, made.stderr).toBe(0);
  return who;
}

async function signInAs(page: Page, who: { username: string; password: string }): Promise<void> {
  const csrf = (await (await page.request.get("/csrf-token")).json()).obj as string;
  const res = await page.request.post("/login", { data: who, headers: { "X-CSRF-Token": csrf } });
  expect((await res.json()).success).toBe(true);
}

async function browserAs(browser: Browser, who: { username: string; password: string }, userAgent: string): Promise<Page> {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  await signInAs(page, who);
  return page;
}

const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

test("Sessions tab: lists this admin's browsers; signing one out ends it there at once; then every other one", async ({ page, browser }, testInfo) => {
  const who = await ownAdmin();
  await signInAs(page, who);
  const firefox = await browserAs(browser, who, FIREFOX);
  const iphone = await browserAs(browser, who, SAFARI_IPHONE);
  await firefox.goto("/panel/settings/security?tab=sessions");
  await expect(firefox.getByRole("heading", { name: "Active sessions" })).toBeVisible();

  await page.goto("/panel/settings/security?tab=sessions");
  const panel = page.getByRole("tabpanel", { name: "Sessions" });
  const rows = panel.getByRole("row");
  await expect(rows).toHaveCount(4); // header + 3
  await expect(panel.getByRole("row").filter({ hasText: "This browser" })).toContainText("Chrome");
  await expect(panel.getByRole("row").filter({ hasText: "Firefox 133 on Windows 10" })).toBeVisible();
  await expect(panel.getByRole("row").filter({ hasText: "Safari 18 on iOS" })).toBeVisible();
  await expectNoAxeViolations(page, "sessions tab");

  for (const mode of SCREENSHOT_MODES) {
    await page.setViewportSize({ width: mode.width, height: mode.height });
    await page.emulateMedia({ colorScheme: mode.scheme });
    await snap(page, testInfo, `sessions-${mode.tag}`);
    if (mode.scheme === "dark") await expectNoAxeViolations(page, `sessions tab ${mode.tag}`);
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });

  // Sign the Firefox one out: a double click sends one request.
  const revokes: string[] = [];
  page.on("request", (r) => r.method() === "POST" && r.url().includes("/sessions/revoke/") && revokes.push(r.url()));
  await panel.getByRole("row").filter({ hasText: "Firefox" }).getByRole("button", { name: /^Sign out/ }).dblclick();
  await expect(page.getByRole("status").filter({ hasText: "Signed out Firefox 133 on Windows 10" })).toBeVisible();
  await expect(rows).toHaveCount(3);
  expect(revokes).toHaveLength(1);
  // The Firefox browser finds itself signed out on its next request.
  await firefox.reload();
  await expect(firefox).toHaveURL(/\/login\?next=/);

  // Everyone else.
  await panel.getByRole("button", { name: "Sign out all other sessions" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Sign out all other sessions?" });
  await expect(confirm).toContainText("1 other browser is signed in as you.");
  await snap(page, testInfo, "sessions-revoke-others-1280-light", { fullPage: false });
  await confirm.getByRole("button", { name: "Sign them out" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Signed out 1 other session." })).toBeVisible();
  await expect(rows).toHaveCount(2);
  await expect(panel.getByRole("button", { name: "Sign out all other sessions" })).toBeDisabled();
  await iphone.goto("/panel/settings/security");
  await expect(iphone).toHaveURL(/\/login\?next=/);
  await firefox.context().close();
  await iphone.context().close();
});

/**
 * Moves this browser's sign-in back to `authenticatedAt`, as another instance
 * would leave it: the row changed and the session generation bumped, which the
 * server notices within its 250 ms freshness window.
 */
async function ageSignIn(page: Page, authenticatedAt: number): Promise<void> {
  const cookie = (await page.context().cookies()).find((c) => c.name === "3x-ui")!.value;
  const idHash = createHash("sha256").update(cookie.split(".")[1]!).digest("hex");
  const db = createClient({ url: process.env.XUI_E2E_DATABASE_URL! });
  await db.batch(
    [
      { sql: "UPDATE sessions SET authenticated_at = ? WHERE id_hash = ?", args: [authenticatedAt, idHash] },
      "INSERT INTO session_state (id, generation) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET generation = generation + 1",
    ],
    "write",
  );
  db.close();
  await page.waitForTimeout(400);
}

test("minting an admin token from a session signed in 11 minutes ago asks to confirm it's you first", async ({ page }, testInfo) => {
  const who = await ownAdmin();
  await signInAs(page, who);
  await ageSignIn(page, Date.now() - 11 * 60_000);

  await page.goto("/panel/settings/security");
  const name = unique("reauth-ui");
  await page.getByRole("button", { name: "New token" }).click();
  const create = page.getByRole("dialog", { name: "New API token" });
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Scope").selectOption("admin");
  await create.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("alertdialog", { name: "Create an admin token?" }).getByRole("button", { name: "Create admin token" }).click();

  const prompt = page.getByRole("dialog", { name: "Confirm it’s you" });
  await expect(prompt).toBeVisible();
  await expect(prompt.getByLabel("Your password")).toBeFocused();
  // This admin has no passkey and no second factor: the prompt offers neither.
  await expect(prompt.getByRole("button", { name: "Use a passkey" })).toHaveCount(0);
  await expect(prompt.getByRole("button", { name: "Use a two-factor code instead" })).toHaveCount(0);
  await expectNoAxeViolations(page, "re-authentication prompt");
  await snap(page, testInfo, "reauth-prompt-1280-light", { fullPage: false });
  await prompt.getByRole("button", { name: "Confirm" }).click();
  await expect(prompt.getByText("Enter your password.")).toBeVisible();
  await prompt.getByLabel("Your password").fill("not-the-password");
  await prompt.getByRole("button", { name: "Confirm" }).click();
  await expect(prompt.getByRole("alert")).toHaveText("That is not right. Check it and try again.");
  await page.setViewportSize({ width: 375, height: 812 });
  await page.emulateMedia({ colorScheme: "dark" });
  await snap(page, testInfo, "reauth-prompt-375-dark", { fullPage: false });
  await expectNoAxeViolations(page, "re-authentication prompt, dark, 375");
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });

  await prompt.getByLabel("Your password").fill(who.password);
  await prompt.getByRole("button", { name: "Confirm" }).click();
  // Confirmed: the create goes through by itself, the secret is shown once.
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  await expect(secret.getByLabel("Your new API token")).toHaveValue(/^xui_/);
  await expect(prompt).toBeHidden();
});

test("closing the confirmation leaves nothing changed and says so", async ({ page }) => {
  const who = await ownAdmin();
  await signInAs(page, who);
  await ageSignIn(page, 0);
  await page.goto("/panel/settings/security");
  const name = unique("reauth-cancel");
  await page.getByRole("button", { name: "New token" }).click();
  const create = page.getByRole("dialog", { name: "New API token" });
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Scope").selectOption("admin");
  await create.getByRole("button", { name: "Create", exact: true }).click();
  await page.getByRole("alertdialog", { name: "Create an admin token?" }).getByRole("button", { name: "Create admin token" }).click();
  const prompt = page.getByRole("dialog", { name: "Confirm it’s you" });
  await prompt.getByRole("button", { name: "Cancel" }).click();
  await expect(prompt).toBeHidden();
  await expect(create.getByRole("alert")).toContainText("Nothing was changed: this needs you to confirm it’s you first.");
  const db = createClient({ url: process.env.XUI_E2E_DATABASE_URL! });
  const rows = await db.execute({ sql: "SELECT count(*) AS n FROM api_tokens WHERE name = ?", args: [name] });
  db.close();
  expect(Number(rows.rows[0]!.n)).toBe(0);
});
