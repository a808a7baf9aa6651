import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { bearer, BrowserSession, request } from "../support/client";
import { openDirect } from "../support/direct-db";
import { recordFigures } from "../support/figures";
import { startPanelServer, type PanelServer } from "../support/server";
import { ensureSqld } from "../support/sqld";
import { startSqldCluster, type SqldCluster } from "../support/sqld-replica";

/**
 * Panels on a sqld primary and on its replica (`--primary-grpc-url`): the
 * replica's panels read locally and write through the primary. A replica
 * lags the primary by a few ms and gives no read-your-writes across requests,
 * so these check that what a panel acknowledges its next request sees
 * (lib/db/commit.ts), and that every revocation, made on any panel, is refused
 * by every panel within a second.
 */
const ADMIN = { username: "admin", password: "replica-password-1" };
const ENV = {
  ADMIN_USERNAME: ADMIN.username,
  ADMIN_PASSWORD: ADMIN.password,
  // The trials send refused bearers from 127.0.0.1 on purpose; the throttle has its own tests.
  BEARER_MAX_FAILURES_PER_MINUTE: "100000",
};
const REVOCATION_LIMIT_MS = 1_000;
const TRIALS = 3;

const figures: Record<string, unknown> = {};
afterAll(() => recordFigures("replicas", figures));

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

describe("panels on a sqld primary and its replica", () => {
  let cluster: SqldCluster | undefined;
  let skipReason: string | undefined;
  /** On the primary. */
  let p: PanelServer;
  /** Two on the replica. */
  let r1: PanelServer;
  let r2: PanelServer;
  let admin: string;
  /** The admin's password: the credentials test changes it. */
  let password = ADMIN.password;

  beforeAll(async () => {
    const found = ensureSqld();
    if ("skipReason" in found) {
      skipReason = found.skipReason;
      console.warn(`[reliability] replicas SKIPPED: ${skipReason}`);
      return;
    }
    cluster = await startSqldCluster(found.binary);
    p = await startPanelServer({ databaseUrl: cluster.primary.url, env: ENV });
    [r1, r2] = await Promise.all([
      startPanelServer({ databaseUrl: cluster.replica.url, env: ENV }),
      startPanelServer({ databaseUrl: cluster.replica.url, env: ENV }),
    ]);
    const s = new BrowserSession(r1.baseUrl);
    expect((await s.login(ADMIN.username, password)).json?.success).toBe(true);
    const created = await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "driver" } });
    expect(created.json?.success, created.text).toBe(true);
    admin = created.json!.obj!.token;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([p?.stop(), r1?.stop(), r2?.stop()]);
    await cluster?.stop();
  });

  const ready = (ctx: TestContext) => {
    if (skipReason) ctx.skip(`sqld unavailable: ${skipReason}`);
  };
  const api = <T>(server: PanelServer, path: string, body?: Record<string, unknown>) =>
    request<T>(server.baseUrl, path, { headers: bearer(admin), body, method: body ? "POST" : undefined });
  const create = async (server: PanelServer, name: string) => {
    const res = await api<{ id: number; token: string }>(server, "/panel/api/setting/apiTokens/create", { name, scope: "monitor" });
    expect(res.json?.success, res.text).toBe(true);
    return res.json!.obj!;
  };
  const statusWith = async (server: PanelServer, token: string) =>
    (await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(token) })).status;
  const unique = (what: string) => `${what}-${Math.random().toString(36).slice(2, 8)}`;

  it("the replica's panels write through the primary: a row written there is on the primary", async (ctx) => {
    ready(ctx);
    const t = await create(r1, unique("through"));
    const direct = openDirect(cluster!.primary.url);
    try {
      expect((await direct.execute({ sql: "SELECT name FROM api_tokens WHERE id = ?", args: [t.id] })).rows).toHaveLength(1);
    } finally {
      direct.close();
    }
  });

  it("on a replica, the request after an acknowledged write sees it (create, disable, login, logout), every time", async (ctx) => {
    ready(ctx);
    const stale: Record<string, number> = { createThenUse: 0, createThenList: 0, disableThenUse: 0, loginThenUse: 0, logoutThenUse: 0 };
    const n = 20;
    for (let i = 0; i < n; i++) {
      const t = await create(r1, unique("ryw"));
      if ((await statusWith(r1, t.token)) !== 200) stale.createThenUse!++;
      const list = await api<{ id: number }[]>(r1, "/panel/api/setting/apiTokens");
      if (!list.json!.obj!.some((v) => v.id === t.id)) stale.createThenList!++;
      expect((await api(r1, `/panel/api/setting/apiTokens/setEnabled/${t.id}`, { enabled: false })).json?.success).toBe(true);
      if ((await statusWith(r1, t.token)) !== 401) stale.disableThenUse!++;
    }
    for (let i = 0; i < 8; i++) {
      const s = new BrowserSession(r2.baseUrl);
      expect((await s.login(ADMIN.username, password)).json?.success).toBe(true);
      if ((await s.send("/panel/api/setting/apiTokens?limit=1")).status !== 200) stale.loginThenUse!++;
      const cookie = s.cookie;
      expect((await s.send("/logout", { method: "POST" })).json?.success).toBe(true);
      const after = await request(r2.baseUrl, "/panel/api/setting/apiTokens?limit=1", { headers: { cookie: `3x-ui=${cookie}`, "x-requested-with": "XMLHttpRequest" } });
      if (after.status !== 401) stale.logoutThenUse!++;
    }
    figures.readYourWrites = { trials: { tokens: n, sessions: 8 }, stale };
    expect(stale).toEqual({ createThenUse: 0, createThenList: 0, disableThenUse: 0, loginThenUse: 0, logoutThenUse: 0 });
  });

  /** A credential (a bearer token or a session cookie) that works until `revoke` runs on the panel it is given. */
  interface Revocation {
    issue(): Promise<{ check: (server: PanelServer) => Promise<number>; revoke: (on: PanelServer) => Promise<void> }>;
  }
  const tokenRevocation = (revoke: (on: PanelServer, t: { id: number; token: string }) => Promise<void>): Revocation => ({
    async issue() {
      const t = await create(p, unique("revoke"));
      return { check: (server) => statusWith(server, t.token), revoke: (on) => revoke(on, t) };
    },
  });
  const expectOk = (res: { json?: { success?: boolean } | null; text: string; status: number }) => {
    expect(res.status < 300 && res.json?.success !== false, res.text).toBe(true);
  };
  const revocations: Record<string, Revocation> = {
    disable: tokenRevocation(async (on, t) => expectOk(await api(on, `/panel/api/setting/apiTokens/setEnabled/${t.id}`, { enabled: false }))),
    delete: tokenRevocation(async (on, t) => expectOk(await api(on, `/panel/api/setting/apiTokens/delete/${t.id}`, {}))),
    rotate: tokenRevocation(async (on, t) => expectOk(await api(on, `/panel/api/setting/apiTokens/rotate/${t.id}`, { graceSeconds: 0 }))),
    leakReport: tokenRevocation(async (on, t) => expectOk(await request(on.baseUrl, "/api/credentials/revoke", { body: { credentials: [t.token] } }))),
    logout: {
      async issue() {
        const s = new BrowserSession(p.baseUrl);
        expect((await s.login(ADMIN.username, password)).json?.success).toBe(true);
        const cookie = s.cookie!;
        const headers = { cookie: `3x-ui=${cookie}`, "x-requested-with": "XMLHttpRequest" };
        return {
          check: async (server) => (await request(server.baseUrl, "/panel/api/setting/apiTokens?limit=1", { headers })).status,
          revoke: async (on) => {
            const there = new BrowserSession(on.baseUrl);
            there.cookie = cookie;
            there.csrf = s.csrf;
            expectOk(await there.send("/logout", { method: "POST" }));
          },
        };
      },
    },
  };

  async function acceptedWithin(ms: number, check: () => Promise<number>): Promise<boolean> {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      if ((await check()) === 200) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  /** From the acknowledgement until `server` refuses the credential (ms), or Infinity past twice the limit. */
  async function refusedAfter(ackedAt: number, check: () => Promise<number>): Promise<number> {
    for (;;) {
      const sentAt = performance.now();
      const status = await check();
      if (status === 401) return Math.round(sentAt - ackedAt);
      expect(status).toBe(200);
      if (sentAt - ackedAt > 2 * REVOCATION_LIMIT_MS) return Infinity;
    }
  }

  it(`every revocation made on any panel is refused by every panel within ${REVOCATION_LIMIT_MS} ms`, async (ctx) => {
    ready(ctx);
    const servers = { primary: p, replica1: r1, replica2: r2 };
    const measured: Record<string, number[]> = {};
    for (const [kind, revocation] of Object.entries(revocations)) {
      for (const [madeOn, on] of Object.entries(servers)) {
        for (let trial = 0; trial < TRIALS; trial++) {
          const { check, revoke } = await revocation.issue();
          // Issued on the primary: every panel accepts it (the replica's once it has the row) before the revocation.
          for (const server of Object.values(servers)) expect(await acceptedWithin(2_000, () => check(server))).toBe(true);
          await revoke(on);
          const ackedAt = performance.now();
          // The panel that made it refuses at once.
          expect(await check(on), `${kind} on ${madeOn}: its own next request`).toBe(401);
          for (const [seenOn, server] of Object.entries(servers)) {
            if (server === on) continue;
            (measured[`${kind}: ${madeOn} → ${seenOn}`] ??= []).push(await refusedAfter(ackedAt, () => check(server)));
          }
        }
      }
    }
    const worst = Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, Math.max(...v)]));
    figures.revocation = { trialsPerPair: TRIALS, worstMs: worst, overallWorstMs: Math.max(...Object.values(worst)) };
    for (const [pair, ms] of Object.entries(worst)) expect(ms, pair).toBeLessThanOrEqual(REVOCATION_LIMIT_MS);
  }, 180_000);

  it("changing the admin's credentials on a replica ends its sessions on every panel within a second", async (ctx) => {
    ready(ctx);
    const sessions = await Promise.all([p, r1, r2].map(async (server) => {
      const s = new BrowserSession(server.baseUrl);
      expect((await s.login(ADMIN.username, password)).json?.success).toBe(true);
      return s;
    }));
    const changed = await api(r1, "/panel/api/setting/updateUser", {
      oldUsername: ADMIN.username,
      oldPassword: password,
      newUsername: ADMIN.username,
      newPassword: `${password}-new`,
    });
    expectOk(changed);
    password = `${password}-new`;
    const ackedAt = performance.now();
    const after: number[] = [];
    const xhr = { "x-requested-with": "XMLHttpRequest" };
    for (const s of sessions) after.push(await refusedAfter(ackedAt, async () => (await s.send("/panel/api/setting/apiTokens?limit=1", { headers: xhr })).status));
    // The new password works at once on the panel that changed it.
    expect((await new BrowserSession(r1.baseUrl).login(ADMIN.username, password)).json?.success).toBe(true);
    figures.credentialChange = { refusedAfterMs: after };
    for (const ms of after) expect(ms).toBeLessThanOrEqual(REVOCATION_LIMIT_MS);
  });

  it("what a replica costs: reads are local, writes go to the primary", async (ctx) => {
    ready(ctx);
    const time = async (f: () => Promise<unknown>) => {
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };
    const cost: Record<string, Record<string, number>> = {};
    for (const [name, server] of Object.entries({ primary: p, replica: r1 })) {
      const s = new BrowserSession(server.baseUrl);
      expect((await s.login(ADMIN.username, password)).json?.success).toBe(true);
      const reads: number[] = [];
      const writes: number[] = [];
      for (let i = 0; i < 15; i++) {
        reads.push(await time(() => s.send("/panel/api/setting/apiTokens?limit=1")));
        writes.push(await time(() => s.send("/panel/api/setting/apiTokens/create", { body: { name: unique("cost") } })));
      }
      cost[name] = { sessionReadMedianMs: +median(reads).toFixed(1), createMedianMs: +median(writes).toFixed(1) };
    }
    figures.requestCost = cost;
    // Not a speed target, only a sanity bound: a write through a replica is one more hop, not a stall.
    expect(cost.replica!.createMedianMs).toBeLessThan(500);
  });

  it("the primary going away: the replica's panels keep serving reads, answer writes 503 within the request timeout, and recover; nothing acknowledged is lost", async (ctx) => {
    ready(ctx);
    // Where the time went, printed with the servers' last output if the test fails or runs out of time.
    const started = performance.now();
    const steps: string[] = [];
    const step = (what: string) => steps.push(`${Math.round(performance.now() - started)} ms: ${what}`);
    ctx.onTestFailed(() => console.error(`[replicas] primary outage steps:\n  ${steps.join("\n  ")}\n${cluster!.output().slice(-4000)}`));
    const acked = await create(r1, unique("before-kill"));
    const session = new BrowserSession(r2.baseUrl);
    expect((await session.login(ADMIN.username, password)).json?.success).toBe(true);
    const xhr = { "x-requested-with": "XMLHttpRequest" };
    await cluster!.primary.kill();
    const killedAt = performance.now();
    step("primary killed");
    // Reads: the replica still has every acknowledged change, and no revocation can happen meanwhile.
    expect(await statusWith(r1, acked.token)).toBe(200);
    expect((await session.send("/panel/api/setting/apiTokens?limit=1", { headers: xhr })).status).toBe(200);
    step("reads answered");
    // Writes: the replica cannot forward them; a 503 envelope once the request to it times out (10 s).
    const write = await api(r1, "/panel/api/setting/apiTokens/create", { name: unique("during-kill"), scope: "monitor" });
    const writeMs = performance.now() - killedAt;
    step(`write answered ${write.status}`);
    expect(write.status, write.text).toBe(503);
    expect(write.json).toMatchObject({ success: false, obj: null });
    // The primary's own panel: 503 at once.
    expect((await api(p, "/panel/api/setting/apiTokens?limit=1")).status).toBe(503);

    await cluster!.primary.restart();
    const restartedAt = performance.now();
    step("primary answers again");
    let recoveredMs = -1;
    while (performance.now() - restartedAt < 30_000) {
      const res = await api<{ id: number; token: string }>(r1, "/panel/api/setting/apiTokens/create", { name: unique("after-restart"), scope: "monitor" });
      step(`write after restart answered ${res.status}`);
      if (res.json?.success) {
        recoveredMs = Math.round(performance.now() - restartedAt);
        expect(await statusWith(r1, res.json.obj!.token)).toBe(200);
        break;
      }
      expect(res.status, res.text).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    figures.primaryOutage = { writeRefusedAfterMs: Math.round(writeMs), replicaWritesBackAfterMs: recoveredMs };
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
    expect(await statusWith(r1, acked.token)).toBe(200);
    expect(await statusWith(p, acked.token)).toBe(200);
    // The bounds it waits for, added up: the refused write's request timeout (10 s), sqld's start (≤ 30 s), the
    // recovery loop (30 s, and a last write of ≤ 10 s), two reads; the test fails on its assertions well before this.
  }, 120_000);
});
