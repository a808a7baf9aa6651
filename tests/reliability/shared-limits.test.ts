import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { bearer, BrowserSession, request } from "../support/client";
import { openDirect } from "../support/direct-db";
import { recordFigures } from "../support/figures";
import { startPanelServer, type PanelServer } from "../support/server";
import { ensureSqld, startSqld, type SqldServer } from "../support/sqld";

/**
 * Three production servers on ONE real sqld, as behind a load balancer, and
 * the three limits that must be one budget between them, not one each:
 * refused bearer tokens per IP, failed logins per IP + username, and a
 * token's own requests per minute. Requests go round-robin over the servers,
 * many in flight at once.
 *
 * The bearer throttle and the token limit decide in memory and write their
 * counts in the background (lib/rate-limit/shared-window.ts): an instance
 * misses what the others accepted since its own last flush, and accepts at
 * most a tenth of the budget unconfirmed, so the other N − 1 instances can
 * overshoot by at most that share each. The login throttle is decided by one
 * atomic statement per attempt: no overshoot.
 */
const N = 3;
const IN_FLIGHT_PER_SERVER = 4;
const BEARER_BUDGET = 20;
const LOGIN_BUDGET = 5;
const TOKEN_BUDGET = 30;
/** (N − 1) × unconfirmedShare(budget). */
const overshootBound = (budget: number) => (N - 1) * Math.max(1, Math.floor(budget / 10));
const ADMIN = { username: "admin", password: "shared-limits-password-1" };
const ENV = {
  ADMIN_USERNAME: ADMIN.username,
  ADMIN_PASSWORD: ADMIN.password,
  BEARER_MAX_FAILURES_PER_MINUTE: String(BEARER_BUDGET),
  LOGIN_MAX_FAILURES: String(LOGIN_BUDGET),
};

const figures: Record<string, unknown> = { instances: N, inFlight: N * IN_FLIGHT_PER_SERVER };
afterAll(() => recordFigures("shared-limits", figures));

/** Runs `count` calls, call i on server i mod N, with N × IN_FLIGHT_PER_SERVER in flight at once. */
async function roundRobin<T>(servers: PanelServer[], count: number, call: (server: PanelServer, i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await call(servers[i % servers.length]!, i);
  };
  await Promise.all(Array.from({ length: servers.length * IN_FLIGHT_PER_SERVER }, worker));
  return results;
}
const tally = (statuses: number[]) => Object.fromEntries([...new Set(statuses)].sort().map((s) => [s, statuses.filter((x) => x === s).length]));
/** A well-formed token no panel issued: refused after verification, like a revoked one. */
const madeUpToken = () => `xui_${randomBytes(30).toString("base64url").replace(/[-_]/g, "a").slice(0, 36)}`;

describe(`${N} servers on one sqld: one budget per limit`, () => {
  let sqld: SqldServer | undefined;
  let servers: PanelServer[] = [];
  let skipReason: string | undefined;
  let adminToken: string;

  beforeAll(async () => {
    const found = ensureSqld();
    if ("skipReason" in found) {
      skipReason = found.skipReason;
      console.warn(`[reliability] shared limits SKIPPED: ${skipReason}`);
      return;
    }
    sqld = await startSqld(found.binary);
    servers = await Promise.all(Array.from({ length: N }, () => startPanelServer({ databaseUrl: sqld!.url, env: ENV })));
    const s = new BrowserSession(servers[0]!.baseUrl);
    expect((await s.login(ADMIN.username, ADMIN.password)).json?.success).toBe(true);
    adminToken = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "driver" } })).json!.obj!.token;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await sqld?.stop();
  });

  const ready = (ctx: TestContext) => {
    if (skipReason) ctx.skip(`sqld unavailable: ${skipReason}`);
  };

  it(`refused bearer tokens: ${BEARER_BUDGET} per IP per minute across all ${N}, a valid token from that IP still served`, async (ctx) => {
    ready(ctx);
    const ip = "127.0.0.21";
    const monitor = (
      await request<{ token: string }>(servers[1]!.baseUrl, "/panel/api/setting/apiTokens/create", {
        headers: bearer(adminToken),
        body: { name: "bearer-bystander", scope: "monitor" },
      })
    ).json!.obj!.token;
    const started = Date.now();
    const statuses = await roundRobin(servers, 300, async (server) => {
      const res = await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(madeUpToken()), localAddress: ip });
      if (res.status === 429) {
        expect(res.json).toEqual({ success: false, msg: "too many failed token attempts from this address; try again in a minute", obj: null });
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      return res.status;
    });
    const allowed = statuses.filter((s) => s === 401).length;
    figures.refusedBearers = { budget: BEARER_BUDGET, bound: BEARER_BUDGET + overshootBound(BEARER_BUDGET), requests: statuses.length, statuses: tally(statuses), allowed, ms: Date.now() - started };
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(allowed).toBeGreaterThanOrEqual(BEARER_BUDGET);
    expect(allowed).toBeLessThanOrEqual(BEARER_BUDGET + overshootBound(BEARER_BUDGET));
    // Every instance is throttling this address now, and each still serves a good token from it.
    for (const server of servers) {
      expect((await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(madeUpToken()), localAddress: ip })).status).toBe(429);
      expect((await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(monitor), localAddress: ip })).status).toBe(200);
    }
    // Another address is not affected.
    expect((await request(servers[2]!.baseUrl, "/panel/api/server/status", { headers: bearer(madeUpToken()), localAddress: "127.0.0.22" })).status).toBe(401);
  });

  it(`failed logins: ${LOGIN_BUDGET} wrong passwords per IP + user across all ${N}, exactly, even 60 at once`, async (ctx) => {
    ready(ctx);
    const ip = "127.0.0.23";
    // Sessions (and their CSRF tokens) first, so the 60 password posts race each other.
    const sessions = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const s = new BrowserSession(servers[i % N]!.baseUrl, ip);
        await s.refreshCsrf();
        return s;
      }),
    );
    const started = Date.now();
    const answers = await Promise.all(sessions.map((s, i) => s.send("/login", { body: { username: ADMIN.username, password: `wrong-${i}` } })));
    const statuses = answers.map((r) => r.status);
    const checked = answers.filter((r) => r.json?.msg === "Invalid username or password or two-factor code.").length;
    figures.logins = { budget: LOGIN_BUDGET, requests: answers.length, statuses: tally(statuses), passwordChecks: checked, ms: Date.now() - started };
    expect(checked).toBe(LOGIN_BUDGET);
    const throttled = answers.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(60 - LOGIN_BUDGET);
    for (const r of throttled) {
      expect(r.json).toEqual({ success: false, msg: expect.stringMatching(/^too many failed login attempts; try again in \d+ minutes?$/), obj: null });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // The right password is refused there too (the budget is spent), on every instance.
    for (const server of servers) expect((await new BrowserSession(server.baseUrl, ip).login(ADMIN.username, ADMIN.password)).status).toBe(429);
    const direct = openDirect(sqld!.url);
    try {
      const rows = await direct.execute("SELECT count(*) AS n FROM audit_events WHERE action = 'login.failure' AND ip = ?", [ip]);
      expect(Number(rows.rows[0]!.n)).toBe(LOGIN_BUDGET);
    } finally {
      direct.close();
    }
  });

  it(`a token limited to ${TOKEN_BUDGET} requests per minute gets ${TOKEN_BUDGET} across all ${N}; unlimited tokens are untouched`, async (ctx) => {
    ready(ctx);
    const create = (body: Record<string, unknown>) =>
      request<{ token: string }>(servers[2]!.baseUrl, "/panel/api/setting/apiTokens/create", { headers: bearer(adminToken), body }).then(
        (r) => r.json!.obj!.token,
      );
    const limited = await create({ name: "limited", scope: "monitor", rateLimitPerMinute: TOKEN_BUDGET });
    const free = await create({ name: "free", scope: "monitor" });
    const started = Date.now();
    const statuses = await roundRobin(servers, 300, async (server, i) => {
      const res = await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(i % 5 === 4 ? free : limited) });
      return i % 5 === 4 ? -res.status : res.status;
    });
    const limitedStatuses = statuses.filter((s) => s > 0);
    const freeStatuses = statuses.filter((s) => s < 0).map((s) => -s);
    const allowed = limitedStatuses.filter((s) => s === 200).length;
    figures.tokenLimit = {
      budget: TOKEN_BUDGET,
      bound: TOKEN_BUDGET + overshootBound(TOKEN_BUDGET),
      requests: limitedStatuses.length,
      statuses: tally(limitedStatuses),
      allowed,
      unlimitedTokenStatuses: tally(freeStatuses),
      ms: Date.now() - started,
    };
    expect(limitedStatuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(allowed).toBeGreaterThanOrEqual(TOKEN_BUDGET);
    expect(allowed).toBeLessThanOrEqual(TOKEN_BUDGET + overshootBound(TOKEN_BUDGET));
    expect(freeStatuses.every((s) => s === 200)).toBe(true);
    // Every instance refuses it now, with the envelope and Retry-After.
    for (const server of servers) {
      const res = await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(limited) });
      expect(res.status).toBe(429);
      expect(res.json?.msg).toMatch(/^this API token's limit of 30 requests per minute is used up/);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });
});
