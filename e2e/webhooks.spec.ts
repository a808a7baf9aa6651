import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { verifySignature } from "../lib/webhooks/signature";
import { adminApi, expectNoAxeViolations, postsTo, signIn, snap, snapEveryMode, unique } from "./support";

/**
 * Settings → Security → Webhooks (issue 17, point 6): adding one on the page,
 * the secret shown once, a test delivery that fails and is retried until the
 * receiver (on 127.0.0.1) accepts it, the delivery log, and a real event.
 */
interface Hit {
  path: string;
  body: string;
  signature: string;
  event: string;
}
let receiver: Server;
let base = "";
const hits: Hit[] = [];
/** Requests to a path answered 503 before it starts answering 204. */
const failFirst = new Map<string, number>();

test.beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      hits.push({ path, body: Buffer.concat(chunks).toString(), signature: String(req.headers["x-xui-signature"]), event: String(req.headers["x-xui-event"]) });
      const left = failFirst.get(path) ?? 0;
      failFirst.set(path, left - 1);
      res.writeHead(left > 0 ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
test.afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

test("add a webhook, copy its secret once, watch a test be retried and delivered, and get a signed event", async ({ page, context, request }, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const api = await adminApi(request);
  const name = unique("alerts");
  const path = `/${unique("hook")}`;
  await signIn(page);
  await page.goto("/panel/settings/security?tab=webhooks");
  const section = page.getByRole("region", { name: "Webhooks" });
  await expect(section.getByText("No webhooks yet")).toBeVisible();

  await section.getByRole("button", { name: "Add a webhook" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a webhook" });
  // Bad input is explained on the fields, and nothing is sent.
  const creates = postsTo(page, /\/webhooks\/create$/);
  await dialog.getByLabel("URL").fill("ftp://example.com/x");
  await dialog.getByRole("button", { name: "Add webhook" }).click();
  await expect(dialog.getByLabel("Name")).toHaveAccessibleDescription(/webhook name is required/);
  await expect(dialog.getByLabel("URL")).toHaveAccessibleDescription(/http:\/\/ or https:\/\//);
  await expect(dialog.getByText("choose at least one event")).toBeVisible();
  expect(creates).toEqual([]);
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("URL").fill(`${base}${path}`);
  await dialog.getByRole("checkbox", { name: /Token created/ }).check();
  await dialog.getByRole("checkbox", { name: /Token deleted/ }).check();
  await snap(page, testInfo, "webhooks-add-1280-light", { fullPage: false });
  await dialog.getByRole("button", { name: "Add webhook" }).dblclick();

  const shown = page.getByRole("dialog", { name: `Webhook “${name}” added` });
  const secretField = shown.getByLabel("Signing secret");
  await expect(secretField).toHaveValue(/^whsec_/);
  expect(creates).toHaveLength(1);
  const secret = await secretField.inputValue();
  await snap(page, testInfo, "webhooks-secret-1280-light", { fullPage: false });
  // Closing before copying asks first.
  await shown.getByRole("button", { name: "Close" }).click();
  await expect(shown.getByRole("alert")).toContainText("You haven’t copied the secret.");
  await expect(shown.getByRole("button", { name: "Keep it open" })).toBeFocused();
  await shown.getByRole("button", { name: "Keep it open" }).click();
  // The focus goes to what is left to do, not to the page.
  await expect(shown.getByRole("button", { name: "Copy" })).toBeFocused();
  await shown.getByRole("button", { name: "Copy" }).click();
  await expect(shown.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // The secret is gone from the page, and the API never lists it.
  expect(await page.content()).not.toContain(secret);
  const listed = await api.get<{ name: string }[]>("/panel/api/setting/webhooks");
  expect(JSON.stringify(listed)).not.toContain(secret);

  // A test that fails twice, then is delivered: the log says each step in words.
  failFirst.set(path, 2);
  const row = section.getByRole("list", { name: "Webhooks" }).getByRole("listitem").filter({ hasText: name });
  await expect(row).toContainText("Nothing sent yet");
  await row.getByRole("button", { name: `Send test to ${name}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Test queued" })).toBeVisible();
  await row.getByRole("button", { name: `Deliveries of ${name}` }).click();
  const log = page.getByRole("dialog", { name: `Deliveries of “${name}”` });
  await expect(log.getByText(/^Attempt [12] failed: HTTP 503/)).toBeVisible({ timeout: 10_000 });
  await snap(page, testInfo, "webhooks-retrying-1280-light", { fullPage: false });
  await expect(log.getByText("Delivered on attempt 3 (HTTP 204)")).toBeVisible({ timeout: 20_000 });
  await snap(page, testInfo, "webhooks-delivered-1280-light", { fullPage: false });
  await log.getByRole("button", { name: "Close", exact: true }).click();
  const tests = hits.filter((h) => h.path === path);
  expect(tests.map((h) => h.event)).toEqual(["webhook.test", "webhook.test", "webhook.test"]);
  for (const h of tests) expect(verifySignature(secret, h.body, h.signature, Date.now())).toBe(true);

  // A real event, signed with the same secret.
  const made = await api.create({ name: unique("announced"), scope: "monitor" });
  await expect.poll(() => hits.filter((h) => h.path === path && h.event === "token.created").length, { timeout: 10_000 }).toBe(1);
  const event = hits.find((h) => h.path === path && h.event === "token.created")!;
  expect(verifySignature(secret, event.body, event.signature, Date.now())).toBe(true);
  expect(JSON.parse(event.body)).toMatchObject({ event: "token.created", target: { id: made.id, name: made.name } });
  await expect(row).toContainText("Delivered", { timeout: 15_000 });

  await expectNoAxeViolations(page, "webhooks tab");
  await snapEveryMode(page, testInfo, "webhooks");

  // Turned off from the row: nothing more is sent.
  await row.getByRole("switch", { name: `Webhook ${name} on` }).click();
  await expect(row).toContainText("Off");
  await expect.poll(async () => (await api.get<{ name: string; enabled: boolean }[]>("/panel/api/setting/webhooks")).find((h) => h.name === name)?.enabled).toBe(false);
  const before = hits.length;
  await api.post(`/panel/api/setting/apiTokens/delete/${made.id}`, {});
  await page.waitForTimeout(2_500);
  expect(hits.slice(before).filter((h) => h.path === path)).toEqual([]);
});

test("edit a webhook's events and secret, and delete it", async ({ page, request }, testInfo) => {
  const api = await adminApi(request);
  const name = unique("siem");
  const created = await api.post<{ id: number; secret: string }>("/panel/api/setting/webhooks/create", { name, url: `${base}/${unique("edit")}`, events: ["token.created"] });
  expect(created.success, created.msg).toBe(true);
  await signIn(page);
  await page.goto("/panel/settings/security?tab=webhooks");
  const row = page.getByRole("list", { name: "Webhooks" }).getByRole("listitem").filter({ hasText: name });
  await row.getByRole("button", { name: `Edit webhook ${name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Edit webhook “${name}”` });
  await dialog.getByRole("button", { name: "Select all" }).click();
  await dialog.getByRole("button", { name: "New signing secret…" }).click();
  await expect(dialog).toContainText("The current secret stops signing at once");
  await snap(page, testInfo, "webhooks-edit-1280-light", { fullPage: false });
  await dialog.getByRole("button", { name: "Make a new secret" }).click();
  const shown = page.getByRole("dialog", { name: "Copy the new signing secret" });
  const secret = await shown.getByLabel("Signing secret").inputValue();
  expect(secret).toMatch(/^whsec_/);
  expect(secret).not.toBe(created.obj.secret);
  await shown.getByRole("button", { name: "Close" }).click();
  await shown.getByRole("button", { name: "Close anyway" }).click();
  // The events were not saved: the new secret was its own change.
  await expect(row).toContainText("Token created");

  await row.getByRole("button", { name: `Edit webhook ${name}` }).click();
  const again = page.getByRole("dialog", { name: `Edit webhook “${name}”` });
  await again.getByRole("button", { name: "Select all" }).click();
  await again.getByRole("button", { name: "Save webhook" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Webhook “${name}” saved.` })).toBeVisible();
  await expect(row).toContainText("All events");

  await row.getByRole("button", { name: `Delete webhook ${name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Delete webhook “${name}”?` });
  await confirm.getByRole("button", { name: "Delete webhook" }).dblclick();
  await expect(page.getByRole("status").filter({ hasText: `Webhook “${name}” deleted.` })).toBeVisible();
  await expect(row).toHaveCount(0);
  expect((await api.get<{ name: string }[]>("/panel/api/setting/webhooks")).some((h) => h.name === name)).toBe(false);
});
