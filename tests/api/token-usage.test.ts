import { rmSync } from "node:fs";
import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken } from "@/lib/tokens/format";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { openDirect } from "../support/direct-db";
import { startPanelServer, type PanelServer } from "../support/server";

/**
 * Least privilege from observed use (issue 17, point 4) on the real server:
 * calls counted per token and route without a database statement, the report,
 * the narrowest scope applied through `update`, and the counts kept across a
 * restart (written at shutdown).
 */
const ADMIN = { username: "admin", password: "usage-suite-password-1" };
const TOKENS = "/panel/api/setting/apiTokens";
const STATUS = "/panel/api/server/status";

interface View {
  id: number;
  name: string;
  scope: string;
  token?: string;
}
interface Report {
  id: number;
  scope: string;
  days: number;
  since: string;
  routes: { method: string; path: string; calls: number; lastUsed: string; allowed: boolean }[];
  usedRoutes: number;
  allowedRoutes: number;
  narrowestScope: string | null;
}

let server: PanelServer;
let db: Client;
let adminToken: string;
let n = 0;
const unique = (p: string) => `${p}-${++n}`;
const today = () => new Date().toISOString().slice(0, 10);

function call<T = unknown>(path: string, token: string, body?: unknown): Promise<ApiResponse<T>> {
  return request<T>(server.baseUrl, path, { headers: bearer(token), body });
}
const api = <T = unknown>(path: string, body?: unknown) => call<T>(path, adminToken, body);
async function mint(body: Record<string, unknown>): Promise<View> {
  const res = await api<View>(`${TOKENS}/create`, body);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!;
}
const report = async (id: number, query = "") => (await api<Report>(`${TOKENS}/${id}/usage${query}`)).json!.obj!;
const storedRows = async (id: number) => Number((await db.execute({ sql: "SELECT count(*) AS n FROM token_usage WHERE token_id = ?", args: [id] })).rows[0]!.n);

async function start(dataDir?: string): Promise<void> {
  server = await startPanelServer({ env: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password }, keepData: true, dataDir });
  db = openDirect(server.databaseUrl);
}

beforeAll(async () => {
  await start();
  const s = new BrowserSession(server.baseUrl);
  await s.login(ADMIN.username, ADMIN.password);
  adminToken = (await s.send<View>(`${TOKENS}/create`, { body: { name: "usage-suite-admin" } })).json!.obj!.token!;
});
afterAll(async () => {
  db?.close();
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("the usage report", () => {
  it("counts each route a token calls, per method and pattern, without writing to the database on the request", async () => {
    const t = await mint({ name: unique("monitor"), scope: "monitor" });
    for (let i = 0; i < 3; i++) expect((await call(STATUS, t.token!)).status).toBe(200);
    expect((await request(server.baseUrl, STATUS, { method: "HEAD", headers: bearer(t.token!) })).status).toBe(200);
    expect((await call(`${TOKENS}/self`, t.token!)).status).toBe(200);
    // Refused calls are not use: a scope denial, a bad token.
    expect((await call(TOKENS, t.token!)).status).toBe(403);
    expect((await call(STATUS, mintToken().plaintext)).status).toBe(401);

    const r = await report(t.id);
    expect(r).toEqual({
      id: t.id,
      name: t.name,
      scope: "monitor",
      days: 30,
      since: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
      routes: [
        { method: "GET", path: STATUS, calls: 4, lastUsed: today(), allowed: true },
        { method: "GET", path: `${TOKENS}/self`, calls: 1, lastUsed: today(), allowed: true },
      ],
      usedRoutes: 2,
      allowedRoutes: 2,
      narrowestScope: "monitor",
    });
    // Still only in memory: written once a minute (or at shutdown).
    expect(await storedRows(t.id)).toBe(0);
  });

  it("names route patterns, not the ids called, and a token that made no call has no suggestion", async () => {
    const t = await mint({ name: unique("admin-patterns") });
    const idle = await mint({ name: unique("idle"), scope: "monitor" });
    await call(`${TOKENS}/${idle.id}/permissions`, t.token!);
    await call(`${TOKENS}/${t.id}/permissions`, t.token!);
    const r = await report(t.id);
    expect(r.routes.map((x) => [x.method, x.path, x.calls])).toEqual([["GET", `${TOKENS}/{id}/permissions`, 2]]);
    expect(r.narrowestScope).toBe("admin");
    expect(r.allowedRoutes).toBeGreaterThan(20);
    expect((await report(idle.id)).narrowestScope).toBeNull();
  });

  it.each([
    ["?days=0", "days must be an integer from 1 to 90"],
    ["?days=91", "days must be an integer from 1 to 90"],
    ["?days=abc", "days must be an integer from 1 to 90"],
    ["?days=1.5", "days must be an integer from 1 to 90"],
  ])("refuses %s with 400", async (query, msg) => {
    const t = await mint({ name: unique("bad-days"), scope: "monitor" });
    const res = await api(`${TOKENS}/${t.id}/usage${query}`);
    expect([res.status, res.json]).toEqual([400, { success: false, msg, obj: null }]);
  });

  it("answers 'token not found' for an unknown id, and only to admins", async () => {
    expect((await api(`${TOKENS}/999999/usage`)).json).toEqual({ success: false, msg: "token not found", obj: null });
    const monitor = await mint({ name: unique("peek"), scope: "monitor" });
    expect((await call(`${TOKENS}/${monitor.id}/usage`, monitor.token!)).status).toBe(403);
  });
});

describe("applying the narrowest scope", () => {
  it("an admin token that only reads status becomes a monitor token in one audited edit, and loses the rest at once", async () => {
    const t = await mint({ name: unique("over-privileged") });
    expect((await call(STATUS, t.token!)).status).toBe(200);
    const r = await report(t.id);
    expect([r.scope, r.usedRoutes, r.narrowestScope]).toEqual(["admin", 1, "monitor"]);

    const res = await api<View>(`${TOKENS}/update/${t.id}`, { scope: r.narrowestScope });
    expect(res.json?.obj?.scope).toBe("monitor");
    expect((await call(STATUS, t.token!)).status).toBe(200);
    const denied = await call(TOKENS, t.token!);
    expect([denied.status, denied.headers.get("x-accepted-scopes")]).toEqual([403, "admin"]);
    const { rows } = await db.execute({ sql: "SELECT detail FROM audit_events WHERE action = 'token.update' AND target_id = ?", args: [t.id] });
    expect(rows.map((row) => JSON.parse(String(row.detail)))).toEqual([{ changes: { scope: { from: "admin", to: "monitor" } } }]);
    expect((await report(t.id)).narrowestScope).toBe("monitor");
  });

  it("a scope edit checks its value, and widening to admin asks an old browser session to confirm first", async () => {
    const t = await mint({ name: unique("widen"), scope: "monitor" });
    expect((await api(`${TOKENS}/update/${t.id}`, { scope: "root" })).json?.msg).toBe("scope must be 'admin', 'monitor', or 'node-sync'");
    const s = new BrowserSession(server.baseUrl, "127.0.0.7");
    await s.login(ADMIN.username, ADMIN.password);
    await db.execute({ sql: "UPDATE sessions SET authenticated_at = ?", args: [Date.now() - 11 * 60_000] });
    await db.execute("INSERT INTO session_state (id, generation) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET generation = generation + 1");
    await new Promise((r) => setTimeout(r, 400));
    const refused = await s.send(`${TOKENS}/update/${t.id}`, { body: { scope: "admin" } });
    expect([refused.status, refused.headers.get("x-reauth-required")]).toEqual([403, "1"]);
    // Narrowing is not sensitive; the token stays as it was after the refusal.
    expect((await s.send(`${TOKENS}/update/${t.id}`, { body: { scope: "node-sync" } })).json?.success).toBe(true);
    expect((await api<View[]>(TOKENS)).json!.obj!.find((v) => v.id === t.id)?.scope).toBe("node-sync");
  });
});

describe("persistence", () => {
  it("counts not yet written (usage, and aggregated audit rows) are written at shutdown and read back after a restart", async () => {
    const t = await mint({ name: unique("restart"), scope: "monitor" });
    for (let i = 0; i < 5; i++) await call(STATUS, t.token!);
    // A scope denial: an aggregated audit row, flushed every 2 s, so still in memory when the stop comes.
    expect((await call(TOKENS, t.token!)).status).toBe(403);
    const before = await report(t.id);
    const dataDir = server.dataDir;
    db.close();
    await server.stop();
    await start(dataDir);
    expect(await storedRows(t.id)).toBe(1);
    expect(await report(t.id)).toEqual(before);
    const denied = await db.execute({ sql: "SELECT count FROM audit_events WHERE action = 'scope.denied' AND actor_id = ?", args: [t.id] });
    expect(denied.rows.map((r) => Number(r.count))).toEqual([1]);
  });
});
