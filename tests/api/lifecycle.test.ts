import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { startPanelServer, type PanelServer } from "../support/server";

const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");

interface View {
  id: number;
  name: string;
  enabled: boolean;
  scope: string;
  expiresAt: number;
  expiresSoon: boolean;
  lastUsedAt: number;
  lastUsedIp: string;
  allowedIps: string[];
  graceUntil: number;
  token?: string;
}
interface AuditEvent {
  id: number;
  at: number;
  action: string;
  outcome: string;
  actor: { type: string; id: number | null; name: string };
  ip: string;
  target: { type: string; id: number | null; name: string };
  detail: Record<string, unknown>;
  count: number;
}

const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let adminToken: string;
let adminTokenId: number;

function api<T = unknown>(path: string, body?: unknown, token = adminToken, localAddress?: string): Promise<ApiResponse<T>> {
  return request<T>(baseUrl, path, { headers: bearer(token), body, localAddress });
}
async function mint(body: Record<string, unknown>): Promise<View> {
  const res = await api<View>("/panel/api/setting/apiTokens/create", body);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!;
}
async function view(id: number): Promise<View> {
  const res = await api<View[]>("/panel/api/setting/apiTokens");
  return res.json!.obj!.find((v) => v.id === id)!;
}
async function auditLog(query = ""): Promise<AuditEvent[]> {
  const res = await api<{ events: AuditEvent[] }>(`/panel/api/setting/auditLog?limit=200${query}`);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!.events;
}
const status = (token: string, localAddress?: string) =>
  request(baseUrl, "/panel/api/server/status", { headers: bearer(token), localAddress }).then((r) => r.status);

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  await s.login(admin.username, admin.password);
  const res = await s.send<View>("/panel/api/setting/apiTokens/create", { body: { name: unique("lifecycle-admin") } });
  adminToken = res.json!.obj!.token!;
  adminTokenId = res.json!.obj!.id;
});

describe("rotation with grace", () => {
  it("returns a new plaintext for the same token; the old one works until the grace ends, then fails", async () => {
    const t = await mint({ name: unique("rot"), scope: "monitor" });
    const res = await api<View>(`/panel/api/setting/apiTokens/rotate/${t.id}`, { graceSeconds: 2 });
    expect(res.json?.success).toBe(true);
    const rotated = res.json!.obj!;
    expect(rotated).toMatchObject({ id: t.id, name: t.name, scope: "monitor", expiresAt: t.expiresAt });
    expect(rotated.token).not.toBe(t.token);
    expect(rotated.graceUntil).toBeGreaterThan(Date.now());
    expect(await status(rotated.token!)).toBe(200);
    expect(await status(t.token!)).toBe(200);
    await sleep(2_200);
    expect(await status(t.token!)).toBe(401);
    expect(await status(rotated.token!)).toBe(200);
    expect((await view(t.id)).graceUntil).toBe(0);
  });

  it("without graceSeconds the old plaintext fails at once; bad values are refused", async () => {
    const t = await mint({ name: unique("rot0") });
    const rotated = (await api<View>(`/panel/api/setting/apiTokens/rotate/${t.id}`, {})).json!.obj!;
    expect(await status(t.token!)).toBe(401);
    expect(await status(rotated.token!)).toBe(200);
    for (const graceSeconds of [-1, 86_401, 1.5, "60"]) {
      const bad = await api(`/panel/api/setting/apiTokens/rotate/${t.id}`, { graceSeconds });
      expect(bad.json).toEqual({ success: false, msg: "graceSeconds must be an integer from 0 to 86400", obj: null });
    }
    expect((await api("/panel/api/setting/apiTokens/rotate/99999999", {})).json).toEqual({ success: false, msg: "token not found", obj: null });
  });
});

describe("edit", () => {
  it("changes name, expiry and allowlist with the same rules as create", async () => {
    const t = await mint({ name: unique("edit") });
    const taken = await mint({ name: unique("taken") });
    const expiresAt = Date.now() + 2 * 86_400_000;
    const res = await api<View>(`/panel/api/setting/apiTokens/update/${t.id}`, {
      name: `${t.name}-renamed`,
      expiresAt,
      allowedIps: ["10.0.0.1/8", "2001:db8::/32"],
    });
    expect(res.json?.obj).toMatchObject({ name: `${t.name}-renamed`, expiresAt, expiresSoon: true, allowedIps: ["10.0.0.0/8", "2001:db8::/32"] });
    const cases: [unknown, string][] = [
      [{}, "nothing to update: give name, description, expiresAt, allowedIps, rateLimitPerMinute or scope"],
      [{ name: "" }, "token name is required"],
      [{ name: "x".repeat(65) }, "token name must be 64 characters or fewer"],
      [{ name: taken.name }, "a token with that name already exists"],
      [{ expiresAt: 5 }, "expiresAt must be 0 (never) or a future unix-ms timestamp"],
      [{ allowedIps: ["10.0.0.0/33"] }, 'allowedIps: "10.0.0.0/33" is not an IPv4/IPv6 address or CIDR range'],
      [{ allowedIps: "10.0.0.0/8" }, "allowedIps must be a list of IP addresses or CIDR ranges"],
    ];
    for (const [body, msg] of cases) {
      expect((await api(`/panel/api/setting/apiTokens/update/${t.id}`, body)).json, JSON.stringify(body)).toEqual({ success: false, msg, obj: null });
    }
    expect((await view(t.id)).name).toBe(`${t.name}-renamed`);
  });
});

describe("IP allowlists", () => {
  it("a token works only from allowed socket addresses, and fails elsewhere exactly like a bad token", async () => {
    const t = await mint({ name: unique("ipa"), allowedIps: ["127.0.0.5"] });
    expect(await status(t.token!, "127.0.0.5")).toBe(200);
    const elsewhere = await request(baseUrl, "/panel/api/server/status", { headers: bearer(t.token!), localAddress: "127.0.0.6" });
    const bogus = await request(baseUrl, "/panel/api/server/status", { headers: bearer("xui_bogus"), localAddress: "127.0.0.6" });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.text).toBe(bogus.text);
    // X-Forwarded-For is ignored without TRUST_PROXY.
    const spoofed = await request(baseUrl, "/panel/api/server/status", {
      headers: { ...bearer(t.token!), "x-forwarded-for": "127.0.0.5" },
      localAddress: "127.0.0.6",
    });
    expect(spoofed.status).toBe(401);
  });

  describe("behind a trusted proxy (TRUST_PROXY=127.0.0.1)", () => {
    let proxied: PanelServer;
    let token: string;
    beforeAll(async () => {
      proxied = await startPanelServer({ env: { TRUST_PROXY: "127.0.0.1", ADMIN_USERNAME: "admin", ADMIN_PASSWORD: "proxy-password-1" } });
      const s = new BrowserSession(proxied.baseUrl);
      await s.login("admin", "proxy-password-1");
      const res = await s.send<View>("/panel/api/setting/apiTokens/create", {
        body: { name: "office", allowedIps: ["203.0.113.0/24", "2001:db8::/32"] },
      });
      token = res.json!.obj!.token!;
    });
    afterAll(() => proxied.stop());

    it("uses the address the proxy appended to X-Forwarded-For", async () => {
      const from = (xff: string) =>
        request(proxied.baseUrl, "/panel/api/server/status", { headers: { ...bearer(token), "x-forwarded-for": xff } }).then((r) => r.status);
      expect(await from("203.0.113.77")).toBe(200);
      expect(await from("2001:db8::9")).toBe(200);
      expect(await from("198.51.100.1")).toBe(401);
      // A client-supplied entry before the proxy's own does not help.
      expect(await from("203.0.113.77, 198.51.100.1")).toBe(401);
    });

    it("ignores X-Forwarded-For from a peer that is not a trusted proxy (a client reaching the port directly)", async () => {
      const direct = await request(proxied.baseUrl, "/panel/api/server/status", {
        headers: { ...bearer(token), "x-forwarded-for": "203.0.113.77" },
        localAddress: "127.0.0.6",
      });
      expect(direct.status).toBe(401);
    });
  });
});

describe("last used", () => {
  it("shows when and from where, written once per minute rather than per request", async () => {
    const t = await mint({ name: unique("lu") });
    const db = createClient({ url: databaseUrl });
    try {
      await db.execute("CREATE TABLE IF NOT EXISTS test_last_used_writes (token_id INTEGER)");
      await db.execute(`CREATE TRIGGER IF NOT EXISTS test_count_last_used AFTER UPDATE OF last_used_at ON api_tokens
        BEGIN INSERT INTO test_last_used_writes VALUES (NEW.id); END`);
      for (let i = 0; i < 25; i++) expect(await status(t.token!, "127.0.0.8")).toBe(200);
      await sleep(200);
      const writes = await db.execute({ sql: "SELECT count(*) AS n FROM test_last_used_writes WHERE token_id = ?", args: [t.id] });
      expect(Number(writes.rows[0]!.n)).toBe(1);
    } finally {
      await db.execute("DROP TRIGGER IF EXISTS test_count_last_used");
      db.close();
    }
    const v = await view(t.id);
    expect(Math.abs(v.lastUsedAt - Date.now() / 1000)).toBeLessThan(30);
    expect(v.lastUsedIp).toBe("127.0.0.8");
  });
});

describe("what can this token do", () => {
  it("lists the routes its scope allows", async () => {
    const m = await mint({ name: unique("perm"), scope: "monitor" });
    const res = await api<{ scope: string; endpoints: { method: string; path: string }[] }>(
      `/panel/api/setting/apiTokens/${m.id}/permissions`,
    );
    expect(res.json?.obj?.scope).toBe("monitor");
    expect(res.json?.obj?.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      "GET /panel/api/server/status",
      "GET /panel/api/setting/apiTokens/self",
    ]);
    const a = await api<{ endpoints: { method: string; path: string }[] }>(`/panel/api/setting/apiTokens/${adminTokenId}/permissions`);
    expect(a.json?.obj?.endpoints.length).toBeGreaterThan(5);
    expect((await api("/panel/api/setting/apiTokens/99999999/permissions")).json).toEqual({ success: false, msg: "token not found", obj: null });
    expect((await api("/panel/api/setting/apiTokens/abc/permissions")).json).toEqual({ success: false, msg: "invalid token id", obj: null });
  });
});

describe("leaked-token revocation (POST /api/credentials/revoke)", () => {
  it("answers the same for known and unknown tokens; a known one stops working", async () => {
    const leaked = await mint({ name: unique("leaked") });
    const post = (credentials: unknown, localAddress = "127.0.0.9") =>
      request(baseUrl, "/api/credentials/revoke", { body: { credentials }, localAddress });
    const unknown = await post(["xui_" + "A".repeat(36), "totally-unknown-token-value"]);
    const known = await post([leaked.token]);
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.text).toBe(unknown.text);
    expect(known.json).toEqual({ success: true, msg: "accepted", obj: null });
    expect(await status(leaked.token!)).toBe(401);
    expect((await view(leaked.id)).enabled).toBe(false);

    for (const bad of [[], Array(101).fill("x"), "xui_abc", [42]]) {
      const res = await post(bad);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ success: false, msg: "credentials must be a list of 1 to 100 strings", obj: null });
    }
  });

  it("is rate limited per IP", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      statuses.push((await request(baseUrl, "/api/credentials/revoke", { body: { credentials: ["x".repeat(20)] }, localAddress: "127.0.0.10" })).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 202)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    const other = await request(baseUrl, "/api/credentials/revoke", { body: { credentials: ["x".repeat(20)] }, localAddress: "127.0.0.11" });
    expect(other.status).toBe(202);
  });
});

describe("audit log", () => {
  it("records every action exactly once with the right actor", async () => {
    const s = new BrowserSession(baseUrl, "127.0.0.12");
    await s.login(admin.username, "wrong-password");
    await s.login(admin.username, admin.password);
    const name = unique("audited");
    const created = (await s.send<View>("/panel/api/setting/apiTokens/create", { body: { name, scope: "monitor" } })).json!.obj!;
    await api(`/panel/api/setting/apiTokens/update/${created.id}`, { expiresAt: Date.now() + 86_400_000 }, adminToken, "127.0.0.13");
    const rotated = (await api<View>(`/panel/api/setting/apiTokens/rotate/${created.id}`, { graceSeconds: 0 }, adminToken, "127.0.0.13")).json!.obj!;
    await s.send(`/panel/api/setting/apiTokens/setEnabled/${created.id}`, { body: { enabled: false } });
    await s.send(`/panel/api/setting/apiTokens/setEnabled/${created.id}`, { body: { enabled: true } });
    // The monitor token tries a route its scope forbids: a scope denial.
    await request(baseUrl, "/panel/api/setting/apiTokens", { headers: bearer(rotated.token!), localAddress: "127.0.0.14" });
    await request(baseUrl, "/api/credentials/revoke", { body: { credentials: [rotated.token] }, localAddress: "127.0.0.15" });
    await s.send(`/panel/api/setting/apiTokens/delete/${created.id}`, { body: {} });
    await s.send("/logout", { method: "POST" });
    // Failed bearer attempts from one address: aggregated.
    for (let i = 0; i < 3; i++) await request(baseUrl, "/panel/api/server/status", { headers: bearer("xui_nope"), localAddress: "127.0.0.16" });
    await sleep(2_500); // aggregated rows are flushed every 2 s

    // In time order (aggregated rows such as scope denials are written at the next flush, so their ids come later).
    const forToken = (await auditLog(`&tokenId=${created.id}`)).sort((a, b) => a.at - b.at || a.id - b.id);
    expect(forToken.map((e) => [e.action, e.actor.type, e.actor.name, e.ip])).toEqual([
      ["token.create", "session", admin.username, "127.0.0.12"],
      ["token.update", "token", expect.stringMatching(/^lifecycle-admin/), "127.0.0.13"],
      ["token.rotate", "token", expect.stringMatching(/^lifecycle-admin/), "127.0.0.13"],
      ["token.disable", "session", admin.username, "127.0.0.12"],
      ["token.enable", "session", admin.username, "127.0.0.12"],
      ["scope.denied", "token", name, "127.0.0.14"],
      ["token.leak_revoke", "anonymous", "", "127.0.0.15"],
      ["token.delete", "session", admin.username, "127.0.0.12"],
    ]);
    for (const e of forToken.filter((e) => e.target.type === "token")) expect(e.target).toEqual({ type: "token", id: created.id, name });

    const mine = (await auditLog()).filter((e) => e.ip === "127.0.0.12" || e.ip === "127.0.0.16");
    const count = (action: string) => mine.filter((e) => e.action === action).length;
    expect(count("login.failure")).toBe(1);
    expect(count("login.success")).toBe(1);
    expect(count("logout")).toBe(1);
    const failures = mine.filter((e) => e.action === "bearer.failure");
    expect(failures).toHaveLength(1);
    expect(failures[0]!.count).toBe(3);
    expect(failures[0]!.actor.type).toBe("anonymous");
    // Nothing secret in the log.
    const all = JSON.stringify(await auditLog());
    expect(all).not.toContain(rotated.token);
    expect(all).not.toContain(admin.password);
  });

  it("pages newest first with before=, filters by action, and validates its query", async () => {
    const first = await api<{ events: AuditEvent[]; nextBefore: number }>("/panel/api/setting/auditLog?limit=3");
    const page1 = first.json!.obj!;
    expect(page1.events).toHaveLength(3);
    expect(page1.events[0]!.id).toBeGreaterThan(page1.events[2]!.id);
    const page2 = (await api<{ events: AuditEvent[] }>(`/panel/api/setting/auditLog?limit=3&before=${page1.nextBefore}`)).json!.obj!;
    expect(page2.events[0]!.id).toBeLessThan(page1.events[2]!.id);
    const creates = await auditLog("&action=token.create");
    expect(creates.length).toBeGreaterThan(0);
    expect(creates.every((e) => e.action === "token.create")).toBe(true);
    expect((await api("/panel/api/setting/auditLog?action=nope")).json?.success).toBe(false);
    expect((await api("/panel/api/setting/auditLog?limit=-1")).json?.success).toBe(false);
  });
});

describe("failed bearer throttling (default: 20 per minute)", () => {
  let server: PanelServer;
  let good: string;
  beforeAll(async () => {
    server = await startPanelServer({ env: { ADMIN_USERNAME: "admin", ADMIN_PASSWORD: "throttle-password-1" } });
    const s = new BrowserSession(server.baseUrl);
    await s.login("admin", "throttle-password-1");
    good = (await s.send<View>("/panel/api/setting/apiTokens/create", { body: { name: "good" } })).json!.obj!.token!;
  });
  afterAll(() => server.stop());

  it("answers 429 to refused tokens for a minute after 20 failures from one IP; a valid token from that IP still works", async () => {
    const hit = (token: string, localAddress: string) =>
      request(server.baseUrl, "/panel/api/server/status", { headers: bearer(token), localAddress });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await hit(`xui_guess${i}`, "127.0.0.20")).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const refused = await hit("xui_guess-again", "127.0.0.20");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(50);
    // One broken bot behind a NAT must not lock out the good ones.
    expect((await hit(good, "127.0.0.20")).status).toBe(200);
    expect((await hit(good, "127.0.0.21")).status).toBe(200);
  });
});
