import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { resetAdmin } from "@/lib/auth/admins";
import { login, loginBody, type LoginPolicy } from "@/lib/auth/login";
import { markReauthenticated, REAUTH_WINDOW_MS, requireRecentAuth } from "@/lib/auth/reauth";
import type { Actor } from "@/lib/auth/request-auth";
import { hashSessionId } from "@/lib/auth/secrets";
import { endSession, resolveSession } from "@/lib/auth/sessions";
import { FRESHNESS_MS } from "@/lib/db/generation-watch";
import { HttpError } from "@/lib/errors";
import { openTestDb, type TestDb } from "../support/db";

// Two "instances": two connections to one database file, each with its own memory.
let a: TestDb;
let b: DatabaseHandle;
beforeEach(async () => {
  a = await openTestDb();
  b = openDatabase(a.url);
});
afterEach(() => {
  b.close();
  a.cleanup();
});

const policy: LoginPolicy = { idleMs: 100_000, maxMs: 24 * 3_600_000, maxFailures: 3, maxFailuresPerIp: 5, windowMs: 15 * 60_000 };
const ctx = { actor: { type: "session" as const, id: 1, name: "admin" }, ip: "203.0.113.1" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  await resetAdmin(a.db, "admin", "correct horse battery");
});

async function signIn(now = Date.now()) {
  return login(a.db, loginBody.parse({ username: "admin", password: "correct horse battery" }), { ip: ctx.ip, userAgent: "vitest" }, policy, now);
}

describe("sessions from memory", () => {
  it("a remembered session costs no query while the generation is fresh", async () => {
    const s = await signIn();
    expect(await resolveSession(a.db, s.sessionId, policy)).toMatchObject({ username: "admin" });
    a.queries.length = 0;
    expect(await resolveSession(a.db, s.sessionId, policy)).toMatchObject({ username: "admin" });
    expect(a.queries).toEqual([]);
  });

  it(`signed out on A: refused on A at once, on B within ${FRESHNESS_MS} ms`, async () => {
    const s = await signIn();
    expect(await resolveSession(b.db, s.sessionId, policy)).not.toBeNull();
    expect(await endSession(a.db, s.sessionId, { ip: ctx.ip }, policy)).toBe(true);
    expect(await resolveSession(a.db, s.sessionId, policy)).toBeNull();
    await sleep(FRESHNESS_MS + 10);
    expect(await resolveSession(b.db, s.sessionId, policy)).toBeNull();
  });

  it("a session that looks idle in B's memory is read again: activity seen by A keeps it alive", async () => {
    const t0 = Date.now();
    const s = await signIn(t0);
    expect(await resolveSession(b.db, s.sessionId, policy, t0)).not.toBeNull();
    // A serves it a minute later and records the activity (a background write).
    expect(await resolveSession(a.db, s.sessionId, policy, t0 + 61_000)).not.toBeNull();
    for (let i = 0; i < 50; i++) {
      const row = await a.client.execute({ sql: "SELECT last_seen_at FROM sessions WHERE id_hash = ?", args: [hashSessionId(s.sessionId)] });
      if (Number(row.rows[0]!.last_seen_at) === t0 + 61_000) break;
      await sleep(10);
    }
    // B remembers the sign-in time only: past the idle limit by that, not by the database.
    expect(await resolveSession(b.db, s.sessionId, policy, t0 + policy.idleMs + 1)).toMatchObject({ username: "admin" });
    // Really idle: ended on both.
    expect(await resolveSession(b.db, s.sessionId, policy, t0 + 61_000 + policy.idleMs + 1)).toBeNull();
    expect(await resolveSession(a.db, s.sessionId, policy, t0 + 61_000 + policy.idleMs + 1)).toBeNull();
  });
});

describe("re-authentication window", () => {
  async function actorOn(db: DatabaseHandle["db"], sessionId: string, now: number): Promise<Actor> {
    const user = await resolveSession(db, sessionId, policy, now);
    return { kind: "session", ...user! };
  }

  it("the login opens it; it closes after 10 minutes; a confirmation on A reopens it for B, which reads the row again before refusing", async () => {
    const t0 = Date.now();
    const s = await signIn(t0);
    const onB = await actorOn(b.db, s.sessionId, t0);
    await expect(requireRecentAuth(b.db, onB, t0 + REAUTH_WINDOW_MS - 1)).resolves.toBeUndefined();
    const refused = await requireRecentAuth(b.db, onB, t0 + REAUTH_WINDOW_MS).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 403, message: "confirm it's you: re-authenticate to do this", headers: { "X-Reauth-Required": "1" } });

    await markReauthenticated(a.db, hashSessionId(s.sessionId), { ...ctx, userId: onB.kind === "session" ? onB.userId : 0, username: "admin", method: "password" }, t0 + REAUTH_WINDOW_MS);
    // B's actor still carries the sign-in time; the row says otherwise.
    await expect(requireRecentAuth(b.db, onB, t0 + REAUTH_WINDOW_MS + 1)).resolves.toBeUndefined();
    await expect(requireRecentAuth(b.db, onB, t0 + 2 * REAUTH_WINDOW_MS)).rejects.toMatchObject({ status: 403 });
  });

  it("tokens are never asked", async () => {
    const token: Actor = { kind: "token", tokenId: 1, tokenName: "bot", scope: "admin", rateLimitPerMinute: 0, expiresAt: 0 };
    await expect(requireRecentAuth(a.db, token, Date.now() + 10 * REAUTH_WINDOW_MS)).resolves.toBeUndefined();
  });
});
