import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { adminApi, insertExpiredToken, postsTo, seedTokens, signIn, unique } from "./support";

/** Issue 15's features: the list at scale (server paging, search, filters, sort, URL), descriptions, create options, audit. */

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

const DAY = 86_400_000;
const rows = (page: Page) => page.locator("tbody").getByRole("row");
const search = (page: Page) => page.getByLabel("Search tokens");

async function openSecurity(page: Page, query = "") {
  await signIn(page);
  await page.goto(`/panel/settings/security${query}`);
  await expect(page.getByRole("tabpanel")).toBeVisible();
}

test("the list pages, searches, filters and sorts on the server; its state lives in the URL and Back/Forward work", async ({ page, request }) => {
  const prefix = unique("list");
  await seedTokens(45, prefix);
  const api = await adminApi(request);
  const soon = await api.create({ name: `${prefix}-soon`, scope: "node-sync", expiresAt: Date.now() + 2 * DAY });
  await insertExpiredToken(`${prefix}-expired`, "admin");
  const lists: string[] = [];
  page.on("request", (r) => r.method() === "GET" && /\/apiTokens\?/.test(r.url()) && lists.push(r.url()));
  await openSecurity(page);

  await search(page).fill(prefix);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${prefix}`));
  await expect(page.getByText(/^1–20 of 47$/)).toBeVisible();
  // Every list request is a page: never the whole table.
  expect(lists.every((u) => /[?&]limit=\d+/.test(u))).toBe(true);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/[?&]cursor=/);
  await expect(page.getByText(/^21–40 of 47$/)).toBeVisible();

  await page.getByLabel("Per page").selectOption("50");
  await expect(page).toHaveURL(/[?&]limit=50/);
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(rows(page)).toHaveCount(47);

  await page.getByLabel("Sort").selectOption("name");
  await expect(page).toHaveURL(/[?&]sort=name/);
  await expect(rows(page).first()).toContainText(`${prefix}-0000`);

  await page.getByLabel("Status").selectOption("expired");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(`${prefix}-expired`);
  await page.getByLabel("Status").selectOption("expiring");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(`${prefix}-soon`);
  await page.getByLabel("Status").selectOption("");
  await page.getByLabel("Scope", { exact: true }).selectOption("node-sync");
  await expect(rows(page)).toHaveCount(1);

  // Back undoes the filters one at a time, Forward redoes them.
  await page.goBack();
  await expect(page.getByLabel("Status")).toHaveValue("");
  await expect(page.getByLabel("Scope", { exact: true })).toHaveValue("");
  await page.goBack();
  await expect(page.getByLabel("Status")).toHaveValue("expiring");
  await expect(rows(page)).toHaveCount(1);
  await page.goForward();
  await expect(page.getByLabel("Status")).toHaveValue("");

  // A reload lands on the same view.
  await page.getByLabel("Scope", { exact: true }).selectOption("node-sync");
  await page.reload();
  await expect(page.getByLabel("Scope", { exact: true })).toHaveValue("node-sync");
  await expect(search(page)).toHaveValue(prefix);
  await expect(rows(page)).toHaveCount(1);

  // Search by the display prefix.
  await page.getByLabel("Scope", { exact: true }).selectOption("");
  await search(page).fill(soon.prefix);
  await expect(rows(page).filter({ hasText: `${prefix}-soon` })).toHaveCount(1);

  await search(page).fill(`${prefix}-nothing-like-this`);
  await expect(page.getByText("No token matches these filters.")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(search(page)).toHaveValue("");
});

test("a description is given on create, shown in the list and edited in Manage", async ({ page, request }) => {
  await openSecurity(page);
  const name = unique("described");
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Description").fill("  Grafana on the ops box  ");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  const secret = page.getByRole("dialog", { name: "Copy your new API token" });
  await secret.getByRole("button", { name: "Copy" }).click();
  await secret.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("button", { name: "New token" })).toBeFocused();
  const api = await adminApi(request);
  expect((await api.token(name))!.description).toBe("Grafana on the ops box");

  await search(page).fill(name);
  await expect(rows(page).first()).toContainText("Grafana on the ops box");
  await rows(page).first().getByRole("button", { name: "Manage" }).click();
  const manage = page.getByRole("dialog", { name: `Token “${name}”` });
  await expect(manage.getByLabel("Description")).toHaveValue("Grafana on the ops box");
  await manage.getByLabel("Description").fill("x".repeat(501));
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByText("Keep the description to 500 characters or fewer.")).toBeVisible();
  await manage.getByLabel("Description").fill("Grafana, prod");
  await manage.getByRole("button", { name: "Save changes" }).click();
  await expect(manage.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  expect((await api.token(name))!.description).toBe("Grafana, prod");
});

test("create: expiry presets, and an admin token asks first (Go back creates nothing)", async ({ page, request }) => {
  await openSecurity(page);
  const creates = postsTo(page, /\/apiTokens\/create$/);
  const name = unique("presets");
  await page.getByRole("button", { name: "New token" }).click();
  const dialog = page.getByRole("dialog", { name: "New API token" });
  await dialog.getByLabel("Name").fill(name);
  await expect(dialog.getByLabel("Expiration", { exact: true }).locator("option")).toHaveText([
    "7 days",
    "30 days",
    "90 days",
    "1 year",
    "Never",
    "On a date…",
  ]);
  await dialog.getByLabel("Expiration", { exact: true }).selectOption("365");
  await dialog.getByLabel("Scope").selectOption("admin");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  const confirm = page.getByRole("alertdialog", { name: "Create an admin token?" });
  await expect(confirm).toContainText("full access");
  await confirm.getByRole("button", { name: "Go back" }).click();
  await expect(confirm).toBeHidden();
  expect(creates).toHaveLength(0);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await confirm.getByRole("button", { name: "Create admin token" }).click();
  await expect(page.getByRole("dialog", { name: "Copy your new API token" })).toBeVisible();
  const api = await adminApi(request);
  const made = (await api.token(name))!;
  expect(made.scope).toBe("admin");
  expect(made.expiresAt).toBeGreaterThan(Date.now() + 364 * DAY);
  expect(made.expiresAt).toBeLessThan(Date.now() + 366 * DAY);
});

test("audit log: what an edit changed, a token search that finds deleted tokens, a date range, CSV and JSON export", async ({ page, request }) => {
  const api = await adminApi(request);
  const name = unique("audited");
  const { id } = await api.create({ name, scope: "monitor" });
  await api.post(`/panel/api/setting/apiTokens/update/${id}`, { allowedIps: ["203.0.113.0/24"], description: "edited" });
  await api.post(`/panel/api/setting/apiTokens/delete/${id}`);
  await openSecurity(page, "?tab=audit");
  const panel = page.getByRole("tabpanel", { name: "Audit log" });
  await panel.getByLabel("Token", { exact: true }).fill(name);
  const body = panel.locator("tbody").getByRole("row");
  await expect(body).toHaveCount(3);
  const edit = body.filter({ hasText: "Edited token" });
  await expect(edit.getByRole("list", { name: "Changes" })).toContainText("Allowed IPs: anywhere");
  await expect(edit.getByRole("list", { name: "Changes" })).toContainText("203.0.113.0/24");
  await expect(body.filter({ hasText: "Deleted token" })).toHaveCount(1);

  const today = new Date();
  const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  await panel.getByLabel("From", { exact: true }).fill(iso(new Date(today.getTime() - DAY)));
  await panel.getByLabel("To", { exact: true }).fill(iso(today));
  await expect(body).toHaveCount(3);
  await panel.getByLabel("From", { exact: true }).fill(iso(new Date(today.getTime() + DAY)));
  await expect(panel.getByText("The start date is after the end date.")).toBeVisible();
  await panel.getByLabel("From", { exact: true }).fill(iso(new Date(today.getTime() - 30 * DAY)));
  await panel.getByLabel("To", { exact: true }).fill(iso(new Date(today.getTime() - 20 * DAY)));
  await expect(panel.getByText("No events match these filters.")).toBeVisible();
  await panel.getByLabel("From", { exact: true }).fill("");
  await panel.getByLabel("To", { exact: true }).fill("");
  await expect(body).toHaveCount(3);

  const [csv] = await Promise.all([page.waitForEvent("download"), panel.getByRole("link", { name: "Export CSV" }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^audit-log-.*\.csv$/);
  const text = readFileSync((await csv.path())!, "utf8");
  expect(text.split(/\r?\n/)[0]).toBe("time,action,outcome,actor,ip,target,detail");
  expect(text).toContain(name);
  const [json] = await Promise.all([page.waitForEvent("download"), panel.getByRole("link", { name: "Export JSON" }).click()]);
  const events = JSON.parse(readFileSync((await json.path())!, "utf8")) as unknown[];
  expect(events.length).toBe(3);
});
