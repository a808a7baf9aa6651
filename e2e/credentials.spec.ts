import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "./global-setup";
import { signIn } from "./support";

test("change the admin password in Admin credentials, sign in again with it", async ({ page, request }) => {
  await signIn(page);
  await page.goto("/panel/settings/security?tab=credentials");
  const form = page.getByRole("tabpanel", { name: "Admin credentials" });

  await form.getByLabel("Current password").fill(E2E_ADMIN.password);
  await form.getByLabel("New password", { exact: true }).fill("short");
  await form.getByLabel("Confirm new password").fill("short");
  await form.getByRole("button", { name: "Update credentials" }).click();
  await expect(form.getByText("Use at least 8 characters.")).toBeVisible();

  await form.getByLabel("Current password").fill("not-the-password");
  await form.getByLabel("New password", { exact: true }).fill("a-better-password");
  await form.getByLabel("Confirm new password").fill("a-better-password");
  await form.getByRole("button", { name: "Update credentials" }).click();
  await expect(form.getByRole("alert")).toHaveText("The current password is not right. Nothing was changed.");

  await form.getByLabel("Current password").fill(E2E_ADMIN.password);
  await form.getByRole("button", { name: "Update credentials" }).click();
  try {
    await expect(page).toHaveURL(/\/login\?changed=1$/);
    await expect(page.getByRole("status").filter({ hasText: "credentials were changed" })).toBeVisible();
    await page.getByLabel("Username").fill(E2E_ADMIN.username);
    await page.getByLabel("Password").fill("a-better-password");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/panel\/settings\/security$/);
  } finally {
    // Put the shared admin back for the other specs.
    const csrf = (await (await request.get("/csrf-token")).json()).obj;
    await request.post("/login", { data: { username: E2E_ADMIN.username, password: "a-better-password" }, headers: { "X-CSRF-Token": csrf } });
    const csrf2 = (await (await request.get("/csrf-token")).json()).obj;
    const res = await request.post("/panel/api/setting/updateUser", {
      data: {
        oldUsername: E2E_ADMIN.username,
        oldPassword: "a-better-password",
        newUsername: E2E_ADMIN.username,
        newPassword: E2E_ADMIN.password,
      },
      headers: { "X-CSRF-Token": csrf2 },
    });
    expect((await res.json()).success).toBe(true);
  }
});
