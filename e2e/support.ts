import { createHash, randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
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

/**
 * Saves a screenshot under test-results/screenshots and attaches it to the report.
 * The whole page, or (`fullPage: false`) what is on screen: a modal's fixed backdrop covers only that.
 */
export async function snap(page: Page, testInfo: TestInfo, name: string, { fullPage = true } = {}): Promise<void> {
  const path = `test-results/screenshots/${name}.png`;
  await page.screenshot({ path, fullPage });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** The sizes and colour schemes every screenshot set covers: desktop 1280 and mobile 375, light and dark. */
export const SCREENSHOT_MODES = [1280, 375].flatMap((width) =>
  (["light", "dark"] as const).map((scheme) => ({ width, height: width === 1280 ? 860 : 812, scheme, tag: `${width}-${scheme}` })),
);

/** `<prefix>-<width>-<scheme>` in every mode, then back to desktop light. */
export async function snapEveryMode(page: Page, testInfo: TestInfo, prefix: string): Promise<void> {
  for (const mode of SCREENSHOT_MODES) {
    await page.setViewportSize({ width: mode.width, height: mode.height });
    await page.emulateMedia({ colorScheme: mode.scheme });
    await page.waitForTimeout(400); // colour transitions
    await snap(page, testInfo, `${prefix}-${mode.tag}`);
  }
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: "light" });
}

/** axe finds no violations at all (WCAG 2.2 AA and best practice) in the page as it is now. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  expect(results.violations.map((v) => `${state}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

export const TOKENS_API = "/panel/api/setting/apiTokens";

export interface TokenJson {
  id: number;
  name: string;
  enabled: boolean;
  scope: string;
  expiresAt: number;
  prefix: string;
  allowedIps: string[];
  description?: string;
  expired?: boolean;
  token?: string;
}

export interface Envelope<T> {
  success: boolean;
  msg: string;
  obj: T;
}

/** The API as a bot sees it, with an admin bearer token: checks server state from outside the page. */
export interface AdminApi {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, data?: unknown): Promise<Envelope<T>>;
  tokens(): Promise<TokenJson[]>;
  token(name: string): Promise<TokenJson | undefined>;
  create(body: { name: string; scope?: string; expiresAt?: number; allowedIps?: string[]; description?: string }): Promise<TokenJson>;
}

export async function adminApi(request: APIRequestContext): Promise<AdminApi> {
  const headers = { Authorization: `Bearer ${await mintAdminToken(request)}` };
  const api: AdminApi = {
    async get<T>(path: string) {
      const body = (await (await request.get(path, { headers })).json()) as Envelope<T>;
      expect(body.success, body.msg).toBe(true);
      return body.obj;
    },
    async post<T>(path: string, data: unknown = {}) {
      return (await (await request.post(path, { headers, data })).json()) as Envelope<T>;
    },
    tokens: () => api.get<TokenJson[]>(TOKENS_API),
    token: async (name) => (await api.tokens()).find((t) => t.name === name),
    async create(body) {
      const res = await api.post<TokenJson>(`${TOKENS_API}/create`, body);
      expect(res.success, res.msg).toBe(true);
      return res.obj;
    },
  };
  return api;
}

/** Puts a token that has already expired straight into the database (the API refuses past expiries). */
export async function insertExpiredToken(name: string, scope = "admin"): Promise<void> {
  const client = createClient({ url: process.env.XUI_E2E_DATABASE_URL! });
  const hash = createHash("sha256").update(randomBytes(32)).digest("hex");
  await client.execute({
    sql: "INSERT INTO api_tokens (name, token_hash, prefix, enabled, scope, expires_at, created_at) VALUES (?, ?, 'xui_Exp1', 1, ?, ?, ?)",
    args: [name, hash, scope, Date.now() - 2 * 86_400_000, Math.floor(Date.now() / 1000) - 40 * 86_400],
  });
  client.close();
}

/** URLs of the POSTs the page sends to paths matching `pattern`, collected as they go out. */
export function postsTo(page: Page, pattern: RegExp): string[] {
  const seen: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && pattern.test(new URL(r.url()).pathname)) seen.push(r.url());
  });
  return seen;
}
