import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { bearerBlockedFor, recordBearerFailure } from "@/lib/auth/bearer-throttle";
import { throttledPasswordCheck } from "@/lib/auth/credential-guard";
import { HttpError } from "@/lib/errors";
import { takeAttempt } from "@/lib/rate-limit/counters";
import { countSharedHit, flushSharedHits, windowUsage } from "@/lib/rate-limit/shared-window";
import { enforceTokenRateLimit } from "@/lib/tokens/rate-limit";
import { openTestDb, type TestDb } from "../support/db";

/**
 * The shared limits on a real libSQL file, with several connections standing
 * for several panel instances (each Db handle has its own in-memory counters,
 * as each process does).
 */
let t: TestDb;
/** Two more "instances" on the same file. */
let b: DatabaseHandle;
let c: DatabaseHandle;
/** Every statement instance A sent in a batch (Drizzle's batches bypass its query logger). */
const batched: string[] = [];
beforeAll(async () => {
  t = await openTestDb("file");
  const batch = t.client.batch.bind(t.client);
  t.client.batch = ((stmts: Parameters<typeof batch>[0], mode?: Parameters<typeof batch>[1]) => {
    for (const s of stmts) batched.push(typeof s === "string" ? s : Array.isArray(s) ? String(s[0]) : s.sql);
    return batch(stmts, mode);
  }) as typeof t.client.batch;
  b = openDatabase(t.url);
  c = openDatabase(t.url);
});
afterAll(async () => {
  await Promise.all([t.db, b.db, c.db].map(flushSharedHits));
  b.close();
  c.close();
  t.cleanup();
});

let keySeq = 0;
const freshKey = (what: string) => `test:${what}:${++keySeq}:${Math.random()}`;
const stored = async (key: string) =>
  Number((await t.client.execute({ sql: "SELECT count FROM rate_limits WHERE key = ?", args: [key] })).rows[0]?.count ?? 0);
const upserts = () => batched.filter((q) => /^insert into "rate_limits"/i.test(q)).length;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("shared window counters (lib/rate-limit/shared-window.ts)", () => {
  it("a hit costs no database work on the spot; the hits of one turn go out as one statement per key", async () => {
    await flushSharedHits(t.db);
    const x = freshKey("x");
    const y = freshKey("y");
    const before = upserts();
    for (let i = 0; i < 100; i++) countSharedHit(t.db, x, 60_000, Date.now());
    for (let i = 0; i < 50; i++) countSharedHit(t.db, y, 60_000, Date.now());
    expect(upserts()).toBe(before);
    expect(windowUsage(t.db, x, 60_000, Date.now()).used).toBe(100);
    await flushSharedHits(t.db);
    expect(upserts() - before).toBe(2);
    expect(await stored(x)).toBe(100);
    expect(await stored(y)).toBe(50);
  });

  it("each flush learns the total every instance has written", async () => {
    const key = freshKey("shared");
    for (let i = 0; i < 5; i++) countSharedHit(t.db, key, 60_000, Date.now());
    await flushSharedHits(t.db);
    for (let i = 0; i < 7; i++) countSharedHit(b.db, key, 60_000, Date.now());
    await flushSharedHits(b.db);
    expect(windowUsage(b.db, key, 60_000, Date.now()).used).toBe(12);
    // A still knows only its own flush until it flushes again.
    expect(windowUsage(t.db, key, 60_000, Date.now()).used).toBe(5);
    countSharedHit(t.db, key, 60_000, Date.now());
    await flushSharedHits(t.db);
    expect(windowUsage(t.db, key, 60_000, Date.now()).used).toBe(13);
  });

  it("3 instances counting in parallel: the database total is exact, and no instance waits for another", async () => {
    const key = freshKey("parallel");
    const handles = [t.db, b.db, c.db];
    for (let round = 0; round < 30; round++) {
      handles.forEach((db, i) => {
        for (let n = 0; n <= i; n++) countSharedHit(db, key, 60_000, Date.now());
      });
      if (round % 3 === 0) await tick();
    }
    await Promise.all(handles.map(flushSharedHits));
    expect(await stored(key)).toBe(30 * (1 + 2 + 3));
  });

  it("a window that has ended starts again at the next hit", async () => {
    const key = freshKey("window");
    countSharedHit(t.db, key, 200, Date.now());
    countSharedHit(t.db, key, 200, Date.now());
    await flushSharedHits(t.db);
    expect(await stored(key)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(windowUsage(t.db, key, 200, Date.now()).used).toBe(0);
    countSharedHit(t.db, key, 200, Date.now());
    await flushSharedHits(t.db);
    expect(await stored(key)).toBe(1);
  });

  it("hits of a flush that failed are kept and written by the next one", async () => {
    const key = freshKey("retry");
    await t.client.execute("ALTER TABLE rate_limits RENAME TO rate_limits_away");
    try {
      for (let i = 0; i < 4; i++) countSharedHit(t.db, key, 60_000, Date.now());
      await tick();
      await tick();
    } finally {
      await t.client.execute("ALTER TABLE rate_limits_away RENAME TO rate_limits");
    }
    expect(windowUsage(t.db, key, 60_000, Date.now()).used).toBe(4);
    await flushSharedHits(t.db);
    expect(await stored(key)).toBe(4);
  });
});

describe("refused-bearer throttle: one budget across instances", () => {
  const refuse = async (db: DatabaseHandle["db"], ip: string, times: number) => {
    let answered401 = 0;
    for (let i = 0; i < times; i++) {
      if ((await recordBearerFailure(db, ip, Date.now(), 20)) === 0) answered401++;
      await flushSharedHits(db);
    }
    return answered401;
  };

  it("an IP that spent the budget on A is blocked on B once B's first refusal for it is flushed", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    expect(await refuse(t.db, ip, 20)).toBe(20);
    expect(bearerBlockedFor(t.db, ip, Date.now())).toBeGreaterThan(59_000);
    expect(bearerBlockedFor(b.db, ip, Date.now())).toBe(0);
    expect(await refuse(b.db, ip, 5)).toBe(1);
    expect(bearerBlockedFor(b.db, ip, Date.now())).toBeGreaterThan(59_000);
    // Blocked refusals are not counted: a flood from a blocked IP writes nothing.
    const before = upserts();
    for (let i = 0; i < 1000; i++) expect(await recordBearerFailure(t.db, ip, Date.now(), 20)).toBeGreaterThan(59_000);
    await flushSharedHits(t.db);
    expect(upserts()).toBe(before);
    expect(await stored(`bearer:ip:${ip}`)).toBe(21);
  });

  it("300 refusals at once on 3 instances: at most 20 + 2 × 2 get 401, the rest 429", async () => {
    const ip = `198.51.101.${Math.floor(Math.random() * 250)}`;
    const waits = await Promise.all(Array.from({ length: 300 }, (_, i) => recordBearerFailure([t.db, b.db, c.db][i % 3]!, ip, Date.now(), 20)));
    const answered401 = waits.filter((w) => w === 0).length;
    await Promise.all([t.db, b.db, c.db].map(flushSharedHits));
    expect(answered401).toBeGreaterThanOrEqual(20);
    expect(answered401).toBeLessThanOrEqual(20 + 2 * 2);
    expect(await stored(`bearer:ip:${ip}`)).toBe(answered401);
  });
});

describe("login throttle: one atomic statement decides", () => {
  const policy = { maxFailures: 5, maxFailuresPerIp: 30, windowMs: 60_000 };
  const failure = { message: "wrong", action: "login.failure" as const };

  it("30 parallel wrong passwords on 3 instances: exactly 5 password checks run, the rest get 429 with Retry-After", async () => {
    const who = { ip: "192.0.2.50", username: `victim-${Math.random()}` };
    let checks = 0;
    const handles = [t.db, b.db, c.db];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        throttledPasswordCheck(handles[i % 3]!, who, policy, failure, async () => {
          checks++;
          // A password check takes time (scrypt): long enough for every other attempt to arrive.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return null;
        }),
      ),
    );
    expect(checks).toBe(5);
    const refused = outcomes.filter((o) => o.status === "rejected" && o.reason instanceof HttpError && o.reason.status === 429);
    expect(refused).toHaveLength(25);
    const retryAfter = Number((refused[0] as PromiseRejectedResult).reason.headers["Retry-After"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("a refused attempt uses up nothing of the other budgets; a success gives the IP's place back", async () => {
    const key = freshKey("take");
    const other = freshKey("other");
    expect(await takeAttempt(t.db, [{ key, max: 1 }], 60_000)).toBe(0);
    expect(await takeAttempt(t.db, [{ key: other, max: 5 }, { key, max: 1 }], 60_000)).toBeGreaterThan(0);
    expect(await stored(other)).toBe(0);
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}`;
    const who = { ip, username: "someone" };
    await throttledPasswordCheck(t.db, who, policy, failure, async () => ({ ok: true }));
    expect(await stored(`login:ip:${ip}`)).toBe(0);
  });
});

describe("per-token rate limits", () => {
  const limited = (tokenId: number) => ({ tokenId, rateLimitPerMinute: 10 });
  const tryRequest = async (db: DatabaseHandle["db"], tokenId: number): Promise<number> => {
    try {
      await enforceTokenRateLimit(db, limited(tokenId), Date.now());
      return 200;
    } catch (error) {
      if (error instanceof HttpError && error.status === 429) return 429;
      throw error;
    }
  };
  const newTokenId = () => 900_000 + Math.floor(Math.random() * 100_000);

  it("requests spread round-robin over 3 instances: one budget of 10, overshot by at most one per other instance", async () => {
    const id = newTokenId();
    const handles = [t.db, b.db, c.db];
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const db = handles[i % 3]!;
      statuses.push(await tryRequest(db, id));
      await flushSharedHits(db);
    }
    // Each instance knows the total as of its own last flush: it misses what the other two
    // accepted since, and may accept one (its unconfirmed share) before its next flush tells it.
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(10);
    expect(allowed).toBeLessThanOrEqual(10 + 2);
    expect(statuses.slice(15).every((s) => s === 429)).toBe(true);
    expect(await stored(`token:rate:${id}`)).toBe(allowed);
  });

  it("90 requests at once on 3 instances: a burst beyond the share waits for a flush instead of overshooting", async () => {
    const id = newTokenId();
    const statuses = await Promise.all(Array.from({ length: 90 }, (_, i) => tryRequest([t.db, b.db, c.db][i % 3]!, id)));
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(10);
    expect(allowed).toBeLessThanOrEqual(10 + 2);
  });

  it("429 says when to come back: Retry-After within the minute, the limit in the message", async () => {
    const id = newTokenId();
    for (let i = 0; i < 10; i++) await enforceTokenRateLimit(t.db, limited(id), Date.now());
    const error = await enforceTokenRateLimit(t.db, limited(id), Date.now()).then(
      () => undefined,
      (e: unknown) => e as HttpError,
    );
    expect(error?.status).toBe(429);
    expect(error?.message).toMatch(/^this API token's limit of 10 requests per minute is used up; try again in \d+ seconds?$/);
    const retryAfter = Number(error?.headers["Retry-After"]);
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });
});
