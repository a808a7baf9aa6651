import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";

/**
 * Real answers of the production server validate against the OpenAPI document
 * the same server serves at /panel/api/openapi.json.
 */
const baseUrl = inject("baseUrl");
const admin = inject("admin");
const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;

/* eslint-disable @typescript-eslint/no-explicit-any -- the document is plain JSON */
let doc: any;
let adminToken: string;
let monitorToken: string;
const ajv = new Ajv2020({ strict: true, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

/** The documented path template that a concrete path matches (`/x/delete/7` → `/x/delete/{id}`). */
function templateOf(concrete: string): string {
  const pathname = concrete.split("?")[0]!;
  const match = Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(pathname));
  if (!match) throw new Error(`${pathname} is not in the document`);
  return match;
}

/** Asserts `res` is a documented answer of `method path`: its status is listed and its body fits the schema. */
function expectDocumented(method: string, path: string, res: ApiResponse): void {
  const template = templateOf(path);
  const op = doc.paths[template][method.toLowerCase()];
  expect(op, `${method} ${template} documented`).toBeDefined();
  const response = op.responses[String(res.status)];
  expect(response, `${method} ${template} documents HTTP ${res.status}`).toBeDefined();
  const key = `${method} ${template} ${res.status}`;
  if (!compiled.has(key)) compiled.set(key, ajv.compile(response.content["application/json"].schema));
  const validate = compiled.get(key)!;
  const body: unknown = JSON.parse(res.text);
  expect(validate(body), `${key}: ${ajv.errorsText(validate.errors)}\n${res.text}`).toBe(true);
}

async function call(method: "GET" | "POST", path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await request(baseUrl, path, {
    method,
    headers: { ...(opts.token ? bearer(opts.token) : {}), ...opts.headers },
    body: opts.body,
  });
  expectDocumented(method, path, res);
  return res;
}

beforeAll(async () => {
  const browser = new BrowserSession(baseUrl);
  expect((await browser.login(admin.username, admin.password)).json?.success).toBe(true);
  const created = await browser.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: unique("openapi-admin") } });
  adminToken = created.json!.obj!.token;
  const res = await request(baseUrl, "/panel/api/openapi.json", { headers: bearer(adminToken) });
  expect(res.status).toBe(200);
  doc = JSON.parse(res.text);
  const monitor = await request<{ token: string }>(baseUrl, "/panel/api/setting/apiTokens/create", {
    headers: bearer(adminToken),
    body: { name: unique("openapi-monitor"), scope: "monitor" },
  });
  monitorToken = monitor.json!.obj!.token;
});

describe("GET /panel/api/openapi.json", () => {
  it("serves the OpenAPI 3.1 document itself (no envelope), as JSON, and describes itself", async () => {
    const res = await call("GET", "/panel/api/openapi.json", { token: adminToken });
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc).not.toHaveProperty("success");
    expect(doc.paths["/panel/api/openapi.json"].get.operationId).toBe("meta.openapi");
  });

  it("is behind auth like every /panel/api route", async () => {
    expect((await call("GET", "/panel/api/openapi.json")).status).toBe(404);
    expect((await call("GET", "/panel/api/openapi.json", { headers: { "x-requested-with": "XMLHttpRequest" } })).status).toBe(401);
    expect((await call("GET", "/panel/api/openapi.json", { token: monitorToken })).status).toBe(403);
  });
});

describe("real responses validate against the served document", () => {
  it("token lifecycle: create, list, setEnabled, delete — and their domain failures", async () => {
    const name = unique("documented");
    const created = await call("POST", "/panel/api/setting/apiTokens/create", { token: adminToken, body: { name, scope: "node-sync" } });
    const id = (created.json!.obj as { id: number }).id;
    expect((await call("POST", "/panel/api/setting/apiTokens/create", { token: adminToken, body: { name } })).json?.success).toBe(false);
    expect((await call("POST", "/panel/api/setting/apiTokens/create", { token: adminToken, body: { name: "x", scope: "root" } })).json?.msg).toMatch(/scope/);
    const listed = await call("GET", "/panel/api/setting/apiTokens", { token: adminToken });
    expect((listed.json!.obj as { id: number }[]).some((v) => v.id === id)).toBe(true);
    expect((await call("POST", `/panel/api/setting/apiTokens/setEnabled/${id}`, { token: adminToken, body: { enabled: false } })).json).toEqual({ success: true, msg: "", obj: null });
    expect((await call("POST", `/panel/api/setting/apiTokens/setEnabled/${id}`, { token: adminToken, body: { enabled: "no" } })).json?.success).toBe(false);
    expect((await call("POST", `/panel/api/setting/apiTokens/delete/${id}`, { token: adminToken })).json).toEqual({ success: true, msg: "", obj: null });
    expect((await call("POST", `/panel/api/setting/apiTokens/delete/${id}`, { token: adminToken })).json?.msg).toBe("token not found");
    expect((await call("POST", "/panel/api/setting/apiTokens/delete/abc", { token: adminToken })).json?.msg).toBe("invalid token id");
  });

  it("the paged list, its 400s, and the new fields' 400s", async () => {
    const page = await call("GET", "/panel/api/setting/apiTokens?limit=2&sort=name", { token: adminToken });
    const obj = page.json!.obj as { items: unknown[]; nextCursor: string };
    expect(obj.items).toHaveLength(2);
    await call("GET", `/panel/api/setting/apiTokens?limit=2&sort=name&cursor=${obj.nextCursor}`, { token: adminToken });
    expect((await call("GET", "/panel/api/setting/apiTokens?limit=0", { token: adminToken })).status).toBe(400);
    const described = await call("POST", "/panel/api/setting/apiTokens/create", { token: adminToken, body: { name: unique("described"), description: "why" } });
    const id = (described.json!.obj as { id: number }).id;
    expect((await call("POST", "/panel/api/setting/apiTokens/create", { token: adminToken, body: { name: unique("d"), description: 1 } })).status).toBe(400);
    expect((await call("POST", `/panel/api/setting/apiTokens/update/${id}`, { token: adminToken, body: { description: "why" } })).json?.msg).toBe("nothing changed");
    expect((await call("POST", `/panel/api/setting/apiTokens/update/${id}`, { token: adminToken, body: { description: "\u0007" } })).status).toBe(400);
    expect((await call("POST", `/panel/api/setting/apiTokens/rotate/${id}`, { token: adminToken, body: { expiresAt: 5 } })).status).toBe(400);
    expect((await call("POST", `/panel/api/setting/apiTokens/rotate/${id}`, { token: adminToken, body: { expiresAt: 0 } })).json?.success).toBe(true);
  });

  it("server status for admin and monitor tokens", async () => {
    for (const token of [adminToken, monitorToken]) {
      expect((await call("GET", "/panel/api/server/status", { token })).json?.success).toBe(true);
    }
  });

  it("401, 403 (scope and CSRF), 404 and 413 answers", async () => {
    expect((await call("GET", "/panel/api/setting/apiTokens", { token: `xui_${"B".repeat(36)}` })).status).toBe(401);
    expect((await call("GET", "/panel/api/setting/apiTokens", { token: monitorToken })).status).toBe(403);
    expect((await call("GET", "/panel/api/setting/apiTokens")).status).toBe(404);
    const browser = new BrowserSession(baseUrl);
    await browser.login(admin.username, admin.password);
    const noCsrf = await browser.send("/panel/api/setting/apiTokens/create", { body: { name: unique("x") }, csrf: false });
    expect(noCsrf.status).toBe(403);
    expectDocumented("POST", "/panel/api/setting/apiTokens/create", noCsrf);
    const huge = await call("POST", "/panel/api/setting/apiTokens/create", { token: adminToken, body: { name: "x".repeat(70_000) } });
    expect(huge.status).toBe(413);
  });

  it("the session routes and /healthz", async () => {
    const browser = new BrowserSession(baseUrl);
    const csrf = await browser.send("/csrf-token");
    expectDocumented("GET", "/csrf-token", csrf);
    browser.csrf = (csrf.json as { obj: string }).obj;
    const noCsrf = await browser.send("/login", { body: { username: admin.username, password: admin.password }, csrf: false });
    expect(noCsrf.status).toBe(403);
    expectDocumented("POST", "/login", noCsrf);
    const wrong = await browser.send("/login", { body: { username: admin.username, password: "not-the-password" } });
    expect(wrong.json?.success).toBe(false);
    expectDocumented("POST", "/login", wrong);
    const login = await browser.send("/login", { body: { username: admin.username, password: admin.password } });
    expect(login.json?.success).toBe(true);
    expectDocumented("POST", "/login", login);
    await browser.refreshCsrf();
    const logout = await browser.send("/logout", { body: {} });
    expect(logout.json?.success).toBe(true);
    expectDocumented("POST", "/logout", logout);
    const health = await call("GET", "/healthz");
    expect(health.json).toEqual({ status: "ok" });
  });

  it("the validators are not vacuous: an answer with a leaked field or the wrong shape is rejected", async () => {
    const listed = await call("GET", "/panel/api/setting/apiTokens", { token: adminToken });
    const tampered = { ...listed, text: listed.text.replace('"prefix":', '"tokenHash":"00","prefix":') };
    expect(() => expectDocumented("GET", "/panel/api/setting/apiTokens", tampered)).toThrow(/tokenHash|additional/);
    const status = await call("GET", "/panel/api/server/status", { token: adminToken });
    expect(() => expectDocumented("GET", "/panel/api/server/status", { ...status, text: '{"success":true,"obj":{"cpu":"high"}}' })).toThrow();
    expect(() => expectDocumented("GET", "/panel/api/server/status", { ...status, status: 418 })).toThrow(/documents HTTP 418/);
  });
});
