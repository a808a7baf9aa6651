import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";

const baseUrl = inject("baseUrl");
const admin = inject("admin");

interface View {
  id: number;
  name: string;
  enabled: boolean;
  createdAt: number;
  scope: string;
  expiresAt: number;
  prefix: string;
  token?: string;
}

let browser: BrowserSession;
let adminToken: string;
const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  browser = new BrowserSession(baseUrl);
  expect((await browser.login(admin.username, admin.password)).json?.success).toBe(true);
  const res = await browser.send<View>("/panel/api/setting/apiTokens/create", { body: { name: unique("suite-admin") } });
  adminToken = res.json!.obj!.token!;
});

/** A bot: bearer token, no cookies, no CSRF, exactly like a 3x-ui client. GET without a body, POST with one. */
function bot<T = unknown>(path: string, body?: unknown, token = adminToken): Promise<ApiResponse<T>> {
  return request<T>(baseUrl, path, { headers: bearer(token), body });
}

async function createToken(body: Record<string, unknown>, token = adminToken): Promise<View> {
  const res = await bot<View>("/panel/api/setting/apiTokens/create", body, token);
  expect(res.status).toBe(200);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!;
}

async function list(): Promise<View[]> {
  const res = await bot<View[]>("/panel/api/setting/apiTokens");
  expect(res.json?.success).toBe(true);
  return res.json!.obj!;
}

async function expectFailure(res: ApiResponse, msg: string) {
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ success: false, msg, obj: null });
}

describe("create (POST /panel/api/setting/apiTokens/create)", () => {
  it("answers the peer's shape with the plaintext once; the token works as a bearer", async () => {
    const before = Math.floor(Date.now() / 1000);
    const name = unique("central-panel-a");
    const res = await bot<View>("/panel/api/setting/apiTokens/create", { name });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")?.split(/,\s*/)).toContain("no-store");
    const obj = res.json!.obj!;
    expect(res.json!.success).toBe(true);
    expect(obj).toEqual({
      id: expect.any(Number),
      name,
      description: "",
      enabled: true,
      createdAt: expect.any(Number),
      scope: "admin",
      expiresAt: 0,
      prefix: obj.token!.slice(0, 8),
      expiresSoon: false,
      expired: false,
      lastUsedAt: 0,
      lastUsedIp: "",
      allowedIps: [],
      rateLimitPerMinute: 0,
      graceUntil: 0,
      canary: false,
      reuseDetectedAt: 0,
      policyViolations: [],
      token: expect.stringMatching(/^xui_[0-9A-Za-z]{36}$/),
    });
    expect(obj.createdAt).toBeGreaterThanOrEqual(before);
    expect(obj.createdAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);

    const usedAsBearer = await bot("/panel/api/setting/apiTokens", undefined, obj.token);
    expect(usedAsBearer.json?.success).toBe(true);
    // The plaintext is never shown again.
    const listed = await bot("/panel/api/setting/apiTokens");
    expect(listed.text).not.toContain(obj.token);
    expect(listed.text).not.toMatch(/"token"/);
  });

  it("trims the name and accepts 64 characters", async () => {
    const name = unique("t").padEnd(64, "x");
    expect((await createToken({ name: `  ${name}  ` })).name).toBe(name);
  });

  it.each([
    [{}, "token name is required"],
    [{ name: "" }, "token name is required"],
    [{ name: "   " }, "token name is required"],
    [{ name: "x".repeat(65) }, "token name must be 64 characters or fewer"],
    [{ name: "ok-scope", scope: "superuser" }, "scope must be 'admin', 'monitor', or 'node-sync'"],
    [{ name: "ok-exp", expiresAt: -5 }, "expiresAt must be 0 (never) or a future unix-ms timestamp"],
    [{ name: "ok-exp2", expiresAt: 1_000 }, "expiresAt must be 0 (never) or a future unix-ms timestamp"],
    [{ name: "ctl\u0007" }, "token name must not contain control or invisible formatting characters"],
  ])("%j → %s, and nothing is created", async (body, msg) => {
    const before = await list();
    await expectFailure(await bot("/panel/api/setting/apiTokens/create", body), msg);
    expect(await list()).toEqual(before);
  });

  it("refuses a duplicate name with the peer's message", async () => {
    const name = unique("dup");
    await createToken({ name });
    await expectFailure(
      await bot("/panel/api/setting/apiTokens/create", { name }),
      "a token with that name already exists",
    );
    expect((await list()).filter((v) => v.name === name)).toHaveLength(1);
  });

  it("lets exactly one of 20 concurrent creates of one name win over HTTP", async () => {
    const name = unique("race");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => bot<View>("/panel/api/setting/apiTokens/create", { name })),
    );
    expect(results.filter((r) => r.json?.success)).toHaveLength(1);
    for (const r of results.filter((r) => !r.json?.success)) {
      expect(r.json).toEqual({ success: false, msg: "a token with that name already exists", obj: null });
    }
    expect((await list()).filter((v) => v.name === name)).toHaveLength(1);
  });

  it("keeps scope and a future expiry", async () => {
    const expiresAt = Date.now() + 7 * 86_400_000;
    const v = await createToken({ name: unique("scoped"), scope: "node-sync", expiresAt });
    expect(v.scope).toBe("node-sync");
    expect(v.expiresAt).toBe(expiresAt);
  });
});

describe("list (GET /panel/api/setting/apiTokens)", () => {
  it("returns views ordered by id ascending with the contract's fields and units", async () => {
    await createToken({ name: unique("l1") });
    await createToken({ name: unique("l2") });
    const views = await list();
    const ids = views.map((v) => v.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const v of views) {
      // The peer's fields, plus our extensions (never a plaintext or a hash).
      expect(Object.keys(v).sort()).toEqual([
        "allowedIps",
        "canary",
        "createdAt",
        "description",
        "enabled",
        "expired",
        "expiresAt",
        "expiresSoon",
        "graceUntil",
        "id",
        "lastUsedAt",
        "lastUsedIp",
        "name",
        "policyViolations",
        "prefix",
        "rateLimitPerMinute",
        "reuseDetectedAt",
        "scope",
      ]);
      expect(Number.isInteger(v.id)).toBe(true);
      // createdAt in seconds, expiresAt in ms (or 0)
      expect(v.createdAt).toBeLessThan(10_000_000_000);
      expect(v.expiresAt === 0 || v.expiresAt > 10_000_000_000).toBe(true);
    }
  });
});

describe("setEnabled (POST /panel/api/setting/apiTokens/setEnabled/{id})", () => {
  it("disables a token so its very next request fails, and re-enables it", async () => {
    const v = await createToken({ name: unique("toggle") });
    expect((await bot("/panel/api/setting/apiTokens", undefined, v.token)).status).toBe(200);

    expect((await bot(`/panel/api/setting/apiTokens/setEnabled/${v.id}`, { enabled: false })).json).toEqual({ success: true, msg: "", obj: null });
    const refused = await bot("/panel/api/setting/apiTokens", undefined, v.token);
    expect(refused.status).toBe(401);
    expect((await list()).find((x) => x.id === v.id)?.enabled).toBe(false);

    expect((await bot(`/panel/api/setting/apiTokens/setEnabled/${v.id}`, { enabled: true })).json).toEqual({ success: true, msg: "", obj: null });
    expect((await bot("/panel/api/setting/apiTokens", undefined, v.token)).status).toBe(200);
  });

  it.each([
    [{ enabled: "yes" }, "enabled must be true or false"],
    [{}, "enabled must be true or false"],
    [{ enabled: null }, "enabled must be true or false"],
  ])("%j → %s", async (body, msg) => {
    const v = await createToken({ name: unique("badtoggle") });
    await expectFailure(await bot(`/panel/api/setting/apiTokens/setEnabled/${v.id}`, body), msg);
    expect((await list()).find((x) => x.id === v.id)?.enabled).toBe(true);
  });

  it("honours expectedScope: a mismatch fails and changes nothing", async () => {
    const v = await createToken({ name: unique("es"), scope: "monitor" });
    await expectFailure(
      await bot(`/panel/api/setting/apiTokens/setEnabled/${v.id}`, { enabled: false, expectedScope: "admin" }),
      "token not found with expected scope",
    );
    expect((await list()).find((x) => x.id === v.id)?.enabled).toBe(true);
    expect(
      (await bot(`/panel/api/setting/apiTokens/setEnabled/${v.id}`, { enabled: false, expectedScope: "monitor" })).json,
    ).toEqual({ success: true, msg: "", obj: null });
    expect((await list()).find((x) => x.id === v.id)?.enabled).toBe(false);
  });

  it("an unknown id is 'token not found'", async () => {
    await expectFailure(
      await bot("/panel/api/setting/apiTokens/setEnabled/987654321", { enabled: false }),
      "token not found",
    );
  });
});

describe("delete (POST /panel/api/setting/apiTokens/delete/{id})", () => {
  it("works with no body at all (the seed's curl example) and revokes for good", async () => {
    const v = await createToken({ name: unique("del") });
    const res = await request(baseUrl, `/panel/api/setting/apiTokens/delete/${v.id}`, {
      method: "POST",
      headers: bearer(adminToken),
    });
    expect(res.json).toEqual({ success: true, msg: "", obj: null });
    expect((await bot("/panel/api/setting/apiTokens", undefined, v.token)).status).toBe(401);
    expect((await list()).some((x) => x.id === v.id)).toBe(false);
    await expectFailure(await bot(`/panel/api/setting/apiTokens/delete/${v.id}`, {}), "token not found");
  });

  it("honours expectedScope", async () => {
    const v = await createToken({ name: unique("dels"), scope: "node-sync" });
    await expectFailure(
      await bot(`/panel/api/setting/apiTokens/delete/${v.id}`, { expectedScope: "monitor" }),
      "token not found with expected scope",
    );
    expect((await list()).some((x) => x.id === v.id)).toBe(true);
    expect((await bot(`/panel/api/setting/apiTokens/delete/${v.id}`, { expectedScope: "node-sync" })).json).toEqual({
      success: true,
      msg: "",
      obj: null,
    });
    expect((await list()).some((x) => x.id === v.id)).toBe(false);
  });

  it.each(["abc", "-1", "-0", "1.5", "1e3", "0", "0x7", "99999999999999999999"])("id %s → 'invalid token id'", async (id) => {
    await expectFailure(await bot(`/panel/api/setting/apiTokens/delete/${id}`, {}), "invalid token id");
    await expectFailure(await bot(`/panel/api/setting/apiTokens/setEnabled/${id}`, { enabled: true }), "invalid token id");
  });

  it("reads ids as Go's strconv.Atoi does, as 3x-ui: 0042 and +42 are token 42", async () => {
    const v = await createToken({ name: unique("atoi") });
    const padded = String(v.id).padStart(4, "0");
    expect((await bot(`/panel/api/setting/apiTokens/setEnabled/${padded}`, { enabled: false })).json).toEqual({ success: true, msg: "", obj: null });
    expect((await list()).find((x) => x.id === v.id)).toMatchObject({ enabled: false });
    expect((await bot(`/panel/api/setting/apiTokens/delete/%2B${v.id}`, {})).json).toEqual({ success: true, msg: "", obj: null });
    expect((await list()).some((x) => x.id === v.id)).toBe(false);
  });
});

describe("scopes", () => {
  it.each(["monitor", "node-sync"])("a %s token reads status but gets 403 on token management", async (scope) => {
    const v = await createToken({ name: unique(scope), scope });
    const status = await bot("/panel/api/server/status", undefined, v.token);
    expect(status.status).toBe(200);
    const denied = [
      await bot("/panel/api/setting/apiTokens", undefined, v.token),
      await bot("/panel/api/setting/apiTokens/create", { name: unique("nope") }, v.token),
      await bot(`/panel/api/setting/apiTokens/setEnabled/${v.id}`, { enabled: false }, v.token),
      await bot(`/panel/api/setting/apiTokens/delete/${v.id}`, {}, v.token),
    ];
    for (const res of denied) {
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ success: false, msg: "this API token is not permitted to access this endpoint", obj: null });
    }
    // The denied writes changed nothing.
    expect((await list()).find((x) => x.id === v.id)).toMatchObject({ enabled: true });
  });

  it("an expired token is refused like an unknown one", async () => {
    const v = await createToken({ name: unique("short-lived"), expiresAt: Date.now() + 1500 });
    expect((await bot("/panel/api/server/status", undefined, v.token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const res = await bot("/panel/api/server/status", undefined, v.token);
    expect(res.status).toBe(401);
  });
});

describe("browser session on the token routes", () => {
  it("manages tokens with the session cookie and CSRF header", async () => {
    const name = unique("from-ui");
    const created = await browser.send<View>("/panel/api/setting/apiTokens/create", { body: { name } });
    expect(created.json?.success).toBe(true);
    const id = created.json!.obj!.id;
    expect((await browser.send(`/panel/api/setting/apiTokens/setEnabled/${id}`, { body: { enabled: false } })).json?.success).toBe(true);
    expect((await browser.send(`/panel/api/setting/apiTokens/delete/${id}`, { body: {} })).json?.success).toBe(true);
  });

  it("refuses unsafe session requests without the right CSRF token (403) and changes nothing", async () => {
    const name = unique("csrf");
    const before = await list();
    const missing = await browser.send("/panel/api/setting/apiTokens/create", { body: { name }, csrf: false });
    const wrong = await browser.send("/panel/api/setting/apiTokens/create", {
      body: { name },
      csrf: false,
      headers: { "x-csrf-token": "forged" },
    });
    for (const res of [missing, wrong]) {
      expect(res.status).toBe(403);
      expect(res.json?.success).toBe(false);
    }
    expect(await list()).toEqual(before);
    // Safe methods need no CSRF token.
    expect((await browser.send("/panel/api/setting/apiTokens", { csrf: false })).status).toBe(200);
  });
});
