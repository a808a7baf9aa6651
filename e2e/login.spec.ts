import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "./global-setup";

test("a signed-out visit to the Security page goes to /login and comes back after login", async ({ page }) => {
  await page.goto("/panel/settings/security");
  await expect(page).toHaveURL(/\/login\?next=%2Fpanel%2Fsettings%2Fsecurity$/);
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await expect(page.getByText(`Signed in as ${E2E_ADMIN.username}`)).toBeVisible();
});

test("a wrong password shows the server's message and stays on the login page", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill("definitely-wrong");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("Invalid username or password or two-factor code.");
  await expect(page).toHaveURL(/\/login$/);
});

test("login never redirects off-site, whatever ?next= says", async ({ page }) => {
  await page.goto("/login?next=https://evil.example/steal");
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/panel\/settings\/security$/);
});

test("the page runs under its CSP without violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/.test(msg.text())) violations.push(msg.text());
  });
  await page.goto("/login");
  await page.getByLabel("Username").fill("x");
  // Hydrated React handles the submit (a non-hydrated form would do a GET navigation).
  await page.getByLabel("Password").fill("y");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("form").getByRole("alert")).toBeVisible();
  expect(violations).toEqual([]);
});

test("log out ends the session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(E2E_ADMIN.username);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/panel\/settings\/security$/);
  // A click that lands before the page has hydrated does nothing (the button is server-rendered
  // HTML until then), so click until the sign-out navigates.
  await expect(async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page).toHaveURL(/\/login$/, { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await page.goto("/panel/settings/security");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("pages have a favicon and log no failed requests", async ({ page }) => {
  const failures: string[] = [];
  page.on("response", (r) => r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));
  page.on("console", (m) => m.type() === "error" && failures.push(m.text()));
  await page.goto("/login");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const icon = await page.request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
  await page.waitForLoadState("networkidle");
  expect(failures).toEqual([]);
});
