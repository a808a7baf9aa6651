import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mintToken } from "@/lib/tokens/format";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { openDirect } from "../support/direct-db";

/**
 * The review's findings on the token lifecycle (issue 17, point 1), on the real
 * server: a stale rotated-out secret must not reach its replacement, a report
 * that matches nothing must not flush every cache, names must not hide
 * characters or differ only in case or width, and an IPv4-mapped allowlist
 * entry is an IPv4 one.
 */
const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");

interface View {
  id: number;
  name: string;
  enabled: boolean;
  allowedIps: string[];
  reuseDetectedAt: number;
  canary: boolean;
  lastUsedIp: string;
  token?: string;
}

const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;
const db = openDirect(databaseUrl);
let adminToken: string;

function api<T = unknown>(path: string, body?: unknown, localAddress?: string): Promise<ApiResponse<T>> {
  return request<T>(baseUrl, path, { headers: bearer(adminToken), body, localAddress });
}
async function mint(body: Record<string, unknown>): Promise<View> {
  const res = await api<View>("/panel/api/setting/apiTokens/create", body);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!;
}
async function view(id: number): Promise<View | undefined> {
  return (await api<View[]>("/panel/api/setting/apiTokens")).json!.obj!.find((v) => v.id === id);
}
const status = (token: string, localAddress?: string) =>
  request(baseUrl, "/panel/api/server/status", { headers: bearer(token), localAddress }).then((r) => r.status);
/** Every report from an address of its own: the endpoint allows 30 a minute per address. */
let reporter = 40;
const report = (credentials: string[]) =>
  request(baseUrl, "/api/credentials/revoke", { body: { credentials }, localAddress: `127.0.3.${reporter++}` });
async function generation(): Promise<number> {
  const { rows } = await db.execute("SELECT generation FROM token_state WHERE id = 1");
  return Number(rows[0]?.generation ?? 0);
}
async function leakAudits(): Promise<number> {
  const { rows } = await db.execute("SELECT count(*) AS n FROM audit_events WHERE action = 'token.leak_revoke'");
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  await s.login(admin.username, admin.password);
  const res = await s.send<View>("/panel/api/setting/apiTokens/create", { body: { name: unique("findings-admin") } });
  adminToken = res.json!.obj!.token!;
});
afterAll(() => db.close());

describe("leaked-secret reports", () => {
  it("an old rotated-out secret, past its grace, revokes nothing: its replacement keeps working", async () => {
    const t = await mint({ name: unique("rotated"), scope: "monitor" });
    const rotated = (await api<View>(`/panel/api/setting/apiTokens/rotate/${t.id}`, { graceSeconds: 1 })).json!.obj!;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await status(t.token!)).toBe(401);
    const audits = await leakAudits();

    const res = await report([t.token!]);
    expect(res.status).toBe(202);
    expect(await status(rotated.token!)).toBe(200);
    expect((await view(t.id))?.enabled).toBe(true);
    expect(await leakAudits()).toBe(audits);
  });

  it("during the grace, the old secret still names its token, which is switched off", async () => {
    const t = await mint({ name: unique("in-grace"), scope: "monitor" });
    const rotated = (await api<View>(`/panel/api/setting/apiTokens/rotate/${t.id}`, { graceSeconds: 3600 })).json!.obj!;
    expect((await report([t.token!])).status).toBe(202);
    expect(await status(rotated.token!)).toBe(401);
    expect((await view(t.id))?.enabled).toBe(false);
  });

  it("a report that matches nothing writes nothing and leaves the token generation (every instance's cache) alone", async () => {
    const off = await mint({ name: unique("already-off"), scope: "monitor" });
    await api(`/panel/api/setting/apiTokens/setEnabled/${off.id}`, { enabled: false });
    const before = { generation: await generation(), audits: await leakAudits() };
    // Well-formed unknown tokens, garbage, and a token that is already off.
    const unknown = Array.from({ length: 5 }, () => mintToken().plaintext);
    expect((await report([...unknown, "not-a-token", off.token!])).status).toBe(202);
    expect({ generation: await generation(), audits: await leakAudits() }).toEqual(before);

    // The same probe sees a report that does match.
    const live = await mint({ name: unique("live"), scope: "monitor" });
    const beforeMatch = await generation();
    expect((await report([live.token!, ...unknown])).status).toBe(202);
    expect(await generation()).toBeGreaterThan(beforeMatch);
    expect(await leakAudits()).toBe(before.audits + 1);
  });
});

describe("token names", () => {
  const HIDDEN = ["\u200b", "\u2060", "\u00ad", "\u3164", "\u180e", "\u034f", "\u200d", "\u2800", "\ufeff", "\u202e"];

  it.each(HIDDEN.map((c) => [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`, c]))(
    "refuses a name hiding %s, and creates nothing",
    async (_, char) => {
      const base = unique("grafana");
      const res = await api("/panel/api/setting/apiTokens/create", { name: `${base.slice(0, 3)}${char}${base.slice(3)}` });
      expect(res.json).toEqual({ success: false, msg: "token name must not contain control or invisible formatting characters", obj: null });
      const { rows } = await db.execute({ sql: "SELECT count(*) AS n FROM api_tokens WHERE name LIKE ?", args: [`%${base.slice(3)}`] });
      expect(Number(rows[0]!.n)).toBe(0);
    },
  );

  it("are unique after NFKC and case folding, on create and on rename; a token may change its own name's case", async () => {
    const base = unique("grafana");
    const first = await mint({ name: base });
    const fullWidth = [...base].map((c) => (/[a-z0-9-]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join("");
    for (const lookAlike of [base.toUpperCase(), fullWidth, `${base[0]!.toUpperCase()}${base.slice(1)}`]) {
      const res = await api("/panel/api/setting/apiTokens/create", { name: lookAlike });
      expect(res.json, lookAlike).toEqual({ success: false, msg: "a token with that name already exists", obj: null });
    }
    const other = await mint({ name: unique("other") });
    const rename = await api(`/panel/api/setting/apiTokens/update/${other.id}`, { name: base.toUpperCase() });
    expect(rename.json).toEqual({ success: false, msg: "a token with that name already exists", obj: null });
    const own = await api<View>(`/panel/api/setting/apiTokens/update/${first.id}`, { name: base.toUpperCase() });
    expect(own.json?.obj?.name).toBe(base.toUpperCase());
    // "ß" and "SS" fold together; an emoji's variation selector is not a second name.
    await mint({ name: `${base}-straße` });
    expect((await api("/panel/api/setting/apiTokens/create", { name: `${base}-STRASSE` })).json?.success).toBe(false);
    await mint({ name: `${base} ☁` });
    expect((await api("/panel/api/setting/apiTokens/create", { name: `${base} ☁\ufe0f` })).json?.success).toBe(false);
  });

  it("of 10 parallel creates of names that read alike, exactly one succeeds", async () => {
    const base = unique("race");
    const variants = Array.from({ length: 10 }, (_, i) => [...base].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join(""));
    const results = await Promise.all(variants.map((name) => api("/panel/api/setting/apiTokens/create", { name })));
    expect(results.filter((r) => r.json?.success).length).toBe(1);
    const { rows } = await db.execute({ sql: "SELECT count(*) AS n FROM api_tokens WHERE name LIKE ?", args: [base] });
    expect(Number(rows[0]!.n)).toBe(1);
  });
});

describe("IP allowlists", () => {
  it("accept an IPv4-mapped IPv6 entry and keep its IPv4 form", async () => {
    const t = await mint({ name: unique("mapped"), scope: "monitor", allowedIps: ["::ffff:127.0.0.1/128", "::ffff:10.0.0.0/104"] });
    expect(t.allowedIps).toEqual(["127.0.0.1/32", "10.0.0.0/8"]);
    expect(await status(t.token!, "127.0.0.1")).toBe(200);
    expect(await status(t.token!, "127.0.0.2")).toBe(401);
  });
});

describe("reuse of a rotated-out secret (point 2)", () => {
  const statusOf = (token: string, localAddress: string) =>
    request(baseUrl, "/panel/api/server/status", { headers: bearer(token), localAddress });

  it("after its grace: the unknown token's answer, an audit row with address and route, and a flag on the token", async () => {
    const t = await mint({ name: unique("reused"), scope: "monitor" });
    await api(`/panel/api/setting/apiTokens/rotate/${t.id}`, { graceSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const unknown = await statusOf(mintToken().plaintext, "127.0.4.1");
    const reused = await statusOf(t.token!, "127.0.4.2");
    expect(reused.status).toBe(401);
    expect(reused.text).toBe(unknown.text);
    expect((await statusOf(t.token!, "127.0.4.2")).status).toBe(401);

    // Aggregated rows are flushed every 2 s; the flag is written in the background.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { rows } = await db.execute({
      sql: "SELECT ip, target_name, detail, count, outcome FROM audit_events WHERE action = 'token.reuse_detected' AND target_id = ?",
      args: [t.id],
    });
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { ip: "127.0.4.2", target_name: t.name, detail: JSON.stringify({ route: "GET /panel/api/server/status" }), count: 2, outcome: "denied" },
    ]);
    expect((await view(t.id))?.reuseDetectedAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it("during its grace the old secret works, and nothing is recorded", async () => {
    const t = await mint({ name: unique("in-grace-use"), scope: "monitor" });
    await api(`/panel/api/setting/apiTokens/rotate/${t.id}`, { graceSeconds: 3600 });
    expect((await statusOf(t.token!, "127.0.4.3")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { rows } = await db.execute({ sql: "SELECT count(*) AS n FROM audit_events WHERE action = 'token.reuse_detected' AND target_id = ?", args: [t.id] });
    expect(Number(rows[0]!.n)).toBe(0);
    expect((await view(t.id))?.reuseDetectedAt).toBe(0);
  });
});

describe("introspection (point 3)", () => {
  interface SelfView extends View {
    scope: string;
    expiresAt: number;
    endpoints: { method: string; path: string; summary: string }[];
  }
  const self = (token: string) => request<SelfView>(baseUrl, "/panel/api/setting/apiTokens/self", { headers: bearer(token) });

  it("GET …/apiTokens/self answers every scope with its own view and the routes it may call", async () => {
    const expiresAt = Date.now() + 3 * 86_400_000;
    for (const scope of ["admin", "monitor", "node-sync"]) {
      const t = await mint({ name: unique(`self-${scope}`), scope, expiresAt });
      const res = await self(t.token!);
      expect(res.status, scope).toBe(200);
      expect(res.json?.obj).toMatchObject({ id: t.id, name: t.name, scope, expiresAt });
      expect(res.json?.obj).not.toHaveProperty("token");
      const routes = res.json!.obj!.endpoints.map((e) => `${e.method} ${e.path}`);
      expect(routes, scope).toContain("GET /panel/api/setting/apiTokens/self");
      expect(routes.includes("POST /panel/api/setting/apiTokens/create"), scope).toBe(scope === "admin");
    }
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const bySession = await s.send("/panel/api/setting/apiTokens/self", { method: "GET" });
    expect(bySession.status).toBe(400);
    expect(bySession.json).toEqual({
      success: false,
      msg: "this route describes the API token that calls it: send one as Authorization: Bearer <token>",
      obj: null,
    });
    expect((await self(mintToken().plaintext)).status).toBe(401);
  });

  it("every answer to an expiring token carries X-Token-Expires-At; a scope denial names the scopes that would pass", async () => {
    const expiresAt = Date.now() + 86_400_000;
    const expiring = await mint({ name: unique("expiring"), scope: "monitor", expiresAt });
    const forever = await mint({ name: unique("forever"), scope: "monitor" });
    const ok = await request(baseUrl, "/panel/api/server/status", { headers: bearer(expiring.token!) });
    expect(ok.headers.get("x-token-expires-at")).toBe(String(expiresAt));
    const denied = await request(baseUrl, "/panel/api/setting/apiTokens", { headers: bearer(expiring.token!) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("x-accepted-scopes")).toBe("admin");
    expect(denied.headers.get("x-token-expires-at")).toBe(String(expiresAt));
    const statusDenied = await request(baseUrl, "/panel/api/server/status", { method: "POST", headers: bearer(forever.token!) });
    expect(statusDenied.status).toBe(405);
    const never = await request(baseUrl, "/panel/api/server/status", { headers: bearer(forever.token!) });
    expect(never.status).toBe(200);
    expect(never.headers.get("x-token-expires-at")).toBeNull();
    // A refusal of the request itself (bad input) is still an answer to the token.
    const adminExpiring = await mint({ name: unique("expiring-admin"), expiresAt });
    const bad = await request(baseUrl, "/panel/api/setting/apiTokens/create", { headers: bearer(adminExpiring.token!), body: "{" });
    expect(bad.json?.success).toBe(false);
    expect(bad.headers.get("x-token-expires-at")).toBe(String(expiresAt));
  });
});

describe("canary tokens (point 5)", () => {
  it("never authorise anything: the answer is an unknown token's, byte for byte; every use is audited with address, route and user agent", async () => {
    const canary = await mint({ name: unique("canary"), scope: "admin", canary: true });
    expect(canary).toMatchObject({ canary: true, enabled: true });
    const unknown = mintToken().plaintext;
    const calls: [string, string, unknown][] = [
      ["GET", "/panel/api/server/status", undefined],
      ["GET", "/panel/api/setting/apiTokens/self", undefined],
      ["POST", "/panel/api/setting/apiTokens/create", { name: unique("planted") }],
    ];
    const headers = (token: string) => ({ ...bearer(token), "user-agent": "curl/8.5.0 (canary test)" });
    for (const [method, path, body] of calls) {
      const asCanary = await request(baseUrl, path, { method, headers: headers(canary.token!), body, localAddress: "127.0.5.1" });
      const asUnknown = await request(baseUrl, path, { method, headers: headers(unknown), body, localAddress: "127.0.5.2" });
      expect(asCanary.status, path).toBe(401);
      expect(asCanary.text, path).toBe(asUnknown.text);
      const comparable = (h: Headers) => [...h].filter(([k]) => !["date", "x-request-id"].includes(k));
      expect(comparable(asCanary.headers), path).toEqual(comparable(asUnknown.headers));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const { rows } = await db.execute({
      sql: "SELECT ip, detail, count FROM audit_events WHERE action = 'token.canary_triggered' AND target_id = ? ORDER BY detail",
      args: [canary.id],
    });
    expect(rows.map((r) => ({ ...r, detail: JSON.parse(String(r.detail)) }))).toEqual(
      calls
        .map(([method, path]) => ({ ip: "127.0.5.1", count: 1, detail: { route: `${method} ${path}`, userAgent: "curl/8.5.0 (canary test)" } }))
        .sort((a, b) => JSON.stringify(a.detail).localeCompare(JSON.stringify(b.detail))),
    );
    const { rows: planted } = await db.execute({ sql: "SELECT count(*) AS n FROM api_tokens WHERE name LIKE 'planted-%'" });
    expect(Number(planted[0]!.n)).toBe(0);
    expect((await view(canary.id)) as unknown).toMatchObject({ canary: true, lastUsedIp: "127.0.5.1" });
  });

  it("refuses a canary flag that is not a boolean, and creates nothing", async () => {
    const name = unique("bad-canary");
    const res = await api("/panel/api/setting/apiTokens/create", { name, canary: "yes" });
    expect(res.json).toEqual({ success: false, msg: "canary must be true or false", obj: null });
    const { rows } = await db.execute({ sql: "SELECT count(*) AS n FROM api_tokens WHERE name = ?", args: [name] });
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
