import { createHash, randomBytes } from "node:crypto";
import { createClient } from "@libsql/client";
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { E2E_ADMIN } from "./global-setup";

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/** Signs the page's browser context in through the real endpoints (faster than typing). */
export async function signIn(page: Page): Promise<void> {
  const csrf = (await (await page.request.get("/csrf-token")).json()).obj as string;
  const res = await page.request.post("/login", { data: E2E_ADMIN, headers: { "X-CSRF-Token": csrf } });
  expect((await res.json()).success).toBe(true);
}

/** An admin bearer token minted through the API, for checks from outside the browser. */
export async function mintAdminToken(request: APIRequestContext): Promise<string> {
  const csrf = (await (await request.get("/csrf-token")).json()).obj as string;
  await request.post("/login", { data: E2E_ADMIN, headers: { "X-CSRF-Token": csrf } });
  const csrf2 = (await (await request.get("/csrf-token")).json()).obj as string;
  const res = await request.post("/panel/api/setting/apiTokens/create", {
    data: { name: unique("e2e-admin") },
    headers: { "X-CSRF-Token": csrf2 },
  });
  return (await res.json()).obj.token as string;
}

/** Status of a bearer call to a read route: 200 when the token works, 401 when it does not. */
export async function bearerStatus(request: APIRequestContext, token: string): Promise<number> {
  const res = await request.get("/panel/api/server/status", {
    headers: { Authorization: `Bearer ${token}` },
    // A fresh request context: no cookies from the browser session.
  });
  return res.status();
}

/** Inserts tokens straight into the server's database (their plaintexts are never needed). */
export async function seedTokens(count: number, prefix: string): Promise<void> {
  const client = createClient({ url: process.env.XUI_E2E_DATABASE_URL! });
  const now = Math.floor(Date.now() / 1000);
  const statements = Array.from({ length: count }, (_, i) => ({
    sql: "INSERT INTO api_tokens (name, token_hash, prefix, enabled, scope, expires_at, created_at) VALUES (?, ?, '', 1, 'monitor', 0, ?)",
    args: [`${prefix}-${String(i).padStart(4, "0")}`, createHash("sha256").update(randomBytes(32)).digest("hex"), now],
  }));
  await client.batch(statements, "write");
  client.close();
}

/** Saves a screenshot under test-results/screenshots and attaches it to the report. */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = `test-results/screenshots/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}
