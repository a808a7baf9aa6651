import { createClient } from "@libsql/client";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { auditEvents } from "@/db/schema/audit-events";
import { AUTH_MSG, DATABASE_RETRY_AFTER_S, errorResponse } from "@/lib/api/respond";
import { flushAggregated, minuteBucket, noteAggregated } from "@/lib/audit/aggregate";
import { systemContext } from "@/lib/audit/context";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { DatabaseUnavailableError } from "@/lib/errors";
import { createTokenBody } from "@/lib/tokens/schemas";
import { createToken, setTokenEnabled } from "@/lib/tokens/service";
import { FRESHNESS_MS } from "@/lib/db/generation-watch";
import { verifyBearerToken } from "@/lib/tokens/verifier";
import { openTestDb } from "../support/db";
import { freePort } from "../support/process";
import { ensureSqld, startSqld, type SqldServer } from "../support/sqld";

const MIGRATIONS = path.resolve(__dirname, "..", "..", "db", "migrations");
const CTX = systemContext("unit");

/** What a statement on `url` throws (a real client, a real socket). */
async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => expect.unreachable("the statement succeeded"),
    (error: unknown) => error,
  );
}

describe("isDatabaseUnavailable: real failures, classified", () => {
  it("a libSQL server that is not there (http:// and ws://, raw and through Drizzle) is unavailable", async () => {
    const port = await freePort(); // free = nothing listens: connection refused
    for (const url of [`http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}`]) {
      const handle = openDatabase(url);
      try {
        expect(isDatabaseUnavailable(await failureOf(() => handle.client.execute("SELECT 1"))), url).toBe(true);
        expect(isDatabaseUnavailable(await failureOf(() => handle.db.select().from(auditEvents).limit(1))), url).toBe(true);
        expect(isDatabaseUnavailable(await failureOf(() => handle.db.batch([handle.db.delete(auditEvents)]))), url).toBe(true);
      } finally {
        handle.close();
      }
    }
    expect(isDatabaseUnavailable(new DatabaseUnavailableError("said so"))).toBe(true);
  });

  it("a libSQL server that accepts the connection and never answers is unavailable after the request timeout", async () => {
    // A black hole: the socket opens, nothing ever comes back (a frozen server, a dropped route).
    const sockets: Socket[] = [];
    let closing = false;
    // A connection the client opens while the test closes is dropped too, or close() would wait for it forever.
    const hole = createServer((socket) => (closing ? socket.destroy() : void sockets.push(socket)));
    await new Promise<void>((resolve) => hole.listen(0, "127.0.0.1", resolve));
    const handle = openDatabase(`http://127.0.0.1:${(hole.address() as AddressInfo).port}`, undefined, { requestTimeoutMs: 300 });
    try {
      const started = Date.now();
      const error = await failureOf(() => handle.db.select().from(auditEvents).limit(1));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      handle.close();
      closing = true;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hole.close(resolve));
    }
  });

  it("SQL errors, a UNIQUE violation and an embedded SQLITE_BUSY after the busy timeout are not", async () => {
    const t = await openTestDb();
    const dir = mkdtempSync(path.join(os.tmpdir(), "xui-busy-"));
    const [holder, waiter] = [0, 1].map(() => createClient({ url: `file:${path.join(dir, "busy.db")}`, timeout: 50 }));
    try {
      expect(isDatabaseUnavailable(await failureOf(() => t.client.execute("SELEKT 1")))).toBe(false);
      await createToken(t.db, createTokenBody.parse({ name: "twin" }), CTX);
      expect(isDatabaseUnavailable(await failureOf(() => createToken(t.db, createTokenBody.parse({ name: "twin" }), CTX)))).toBe(false);
      await holder!.execute("CREATE TABLE t (x)");
      const tx = await holder!.transaction("write");
      await tx.execute("INSERT INTO t VALUES (1)");
      const busy = await failureOf(() => waiter!.execute("INSERT INTO t VALUES (2)"));
      expect(String(busy)).toContain("SQLITE_BUSY");
      expect(isDatabaseUnavailable(busy)).toBe(false);
      await tx.rollback();
    } finally {
      holder!.close();
      waiter!.close();
      rmSync(dir, { recursive: true, force: true });
      t.cleanup();
    }
  });

  it("errorResponse answers 503 with the envelope and Retry-After, and names no address", async () => {
    const port = await freePort();
    const handle = openDatabase(`http://127.0.0.1:${port}`);
    try {
      const error = await failureOf(() => handle.db.select().from(auditEvents).limit(1));
      const res = errorResponse(error, { method: "GET", route: "/panel/api/x" });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe(String(DATABASE_RETRY_AFTER_S));
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ success: false, msg: AUTH_MSG.databaseUnavailable, obj: null });
      expect(text).not.toContain(String(port));
      // Anything else stays a 500.
      expect(errorResponse(new Error("boom"), { method: "GET", route: "/x" }).status).toBe(500);
    } finally {
      handle.close();
    }
  });
});

// sqld serves HTTP and WebSocket (Hrana) on one port: both transports must fail as unavailable and reconnect.
describe.each(["http", "ws"])("on a real sqld that is killed and restarted (%s://)", (scheme) => {
  let sqld: SqldServer | undefined;
  let skipReason: string | undefined;
  let a: DatabaseHandle;
  let b: DatabaseHandle;

  beforeAll(async () => {
    const found = ensureSqld();
    if ("skipReason" in found) {
      skipReason = found.skipReason;
      return;
    }
    sqld = await startSqld(found.binary);
    // Two handles = two panels: each has its own token cache.
    const url = sqld.url.replace(/^http/, scheme);
    a = openDatabase(url);
    b = openDatabase(url);
    await migrateDatabase(a, MIGRATIONS);
  }, 60_000);
  afterAll(async () => {
    a?.close();
    b?.close();
    await sqld?.stop();
  });
  const ready = (ctx: TestContext) => {
    if (skipReason) ctx.skip(`sqld unavailable: ${skipReason}`);
  };

  it(`the token cache answers only within ${FRESHNESS_MS} ms of its last generation read; then 503, never the cache; after the restart, the truth`, async (ctx) => {
    ready(ctx);
    const good = await createToken(a.db, createTokenBody.parse({ name: "fresh-good" }), CTX);
    const revoked = await createToken(a.db, createTokenBody.parse({ name: "fresh-revoked" }), CTX);
    const ip = "203.0.113.7";
    const t0 = Date.now();
    expect(await verifyBearerToken(a.db, good.token, { ip, now: t0 })).toMatchObject({ id: good.id });
    expect(await verifyBearerToken(a.db, revoked.token, { ip, now: t0 })).toMatchObject({ id: revoked.id });
    // Revoked through the other panel, then the database goes away before A has looked again.
    await setTokenEnabled(b.db, { id: revoked.id, enabled: false }, CTX);
    await sqld!.kill();

    // Within the bound A may still answer from its cache (its read was sent at or after t0)…
    expect(await verifyBearerToken(a.db, good.token, { ip, now: t0 + FRESHNESS_MS - 1 })).toMatchObject({ id: good.id });
    // …past it, every answer needs the database: unavailable, for the good token and the revoked one alike.
    const past = Date.now() + FRESHNESS_MS;
    for (const token of [good.token, revoked.token]) {
      const error = await failureOf(() => verifyBearerToken(a.db, token, { ip, now: past }));
      expect(isDatabaseUnavailable(error)).toBe(true);
    }

    await sqld!.restart();
    const back = Date.now() + FRESHNESS_MS;
    expect(await verifyBearerToken(a.db, good.token, { ip, now: back })).toMatchObject({ id: good.id });
    expect(await verifyBearerToken(a.db, revoked.token, { ip, now: back })).toBeNull();
  });

  it("aggregated audit counts that fail to flush while sqld is down are kept and written after it returns", async (ctx) => {
    ready(ctx);
    const key = `scope.denied|outage-test-${scheme}|${minuteBucket(Date.now())}`;
    const event = {
      key,
      action: "scope.denied" as const,
      outcome: "denied" as const,
      actor: { type: "token" as const, id: 1, name: "outage" },
      ip: "203.0.113.8",
    };
    await sqld!.kill();
    for (let i = 0; i < 3; i++) noteAggregated(a.db, event, Date.now());
    await flushAggregated(a.db); // fails: the counts go back to pending
    noteAggregated(a.db, event, Date.now()); // a newer one merges with them
    await flushAggregated(a.db);
    await sqld!.restart();
    await flushAggregated(a.db);
    const row = await a.db.select({ count: auditEvents.count }).from(auditEvents).where(eq(auditEvents.aggKey, key)).get();
    expect(row?.count).toBe(4);
  });
});
