import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adminUsers } from "@/db/schema/admin-users";
import { sessions } from "@/db/schema/sessions";
import { ensureFirstAdmin, resetAdmin } from "@/lib/auth/admins";
import { login, loginBody, LOGIN_MSG, type LoginPolicy } from "@/lib/auth/login";
import { generatePassword, hashPassword, verifyPassword } from "@/lib/auth/password";
import { csrfTokenFor, hashSessionId, isValidCsrfToken, newRandomId } from "@/lib/auth/secrets";
import { browserCookieValue, parseBrowserCookie } from "@/lib/http/session-cookie";
import { endSession, resolveSession } from "@/lib/auth/sessions";
import { DomainError, HttpError } from "@/lib/errors";
import { openTestDb, type TestDb } from "../support/db";

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(() => t.cleanup());

const NOW = 1_800_000_000_000;
const policy: LoginPolicy = {
  idleMs: 60 * 60_000,
  maxMs: 24 * 3_600_000,
  maxFailures: 3,
  maxFailuresPerIp: 5,
  windowMs: 15 * 60_000,
};
const meta = (ip = "203.0.113.1") => ({ ip, userAgent: "vitest" });

async function seedAdmin(username = "admin", password = "correct horse battery") {
  await resetAdmin(t.db, username, password);
  return { username, password };
}

async function attempt(username: string, password: string, ip = "203.0.113.1", now = NOW) {
  return login(t.db, loginBody.parse({ username, password }), meta(ip), policy, now).then(
    (r) => ({ ok: true as const, ...r }),
    (e: unknown) => ({ ok: false as const, error: e as Error }),
  );
}

describe("passwords", () => {
  it("hashes with salted scrypt and verifies only the right password", async () => {
    const a = await hashPassword("hunter2hunter2");
    const b = await hashPassword("hunter2hunter2");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("hunter2");
    expect(await verifyPassword("hunter2hunter2", a)).toBe(true);
    expect(await verifyPassword("hunter2hunter3", a)).toBe(false);
    expect(await verifyPassword("hunter2hunter2", "plain")).toBe(false);
  });

  it("generates long random passwords", () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(generatePassword()).not.toBe(p);
  });
});

describe("first admin", () => {
  it("takes ADMIN_USERNAME/ADMIN_PASSWORD when both are set", async () => {
    const r = await ensureFirstAdmin(t.db, { username: "root", password: "s3cret-pass" });
    expect(r).toEqual({ created: true, username: "root", source: "env" });
    expect((await attempt("root", "s3cret-pass")).ok).toBe(true);
  });

  it("otherwise creates `admin` with a random password it returns once", async () => {
    const r = await ensureFirstAdmin(t.db, { username: "root" });
    expect(r.created && r.source === "generated" && r.username === "admin").toBe(true);
    if (!r.created || r.source !== "generated") throw new Error("unreachable");
    expect(r.password).toHaveLength(20);
    expect((await attempt("admin", r.password)).ok).toBe(true);
    const stored = await t.client.execute("SELECT password_hash FROM admin_users");
    expect(JSON.stringify(stored.rows)).not.toContain(r.password);
  });

  it("never creates a second admin, even when two instances race", async () => {
    const results = await Promise.all([
      ensureFirstAdmin(t.db, {}),
      ensureFirstAdmin(t.db, {}),
      ensureFirstAdmin(t.db, {}),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await ensureFirstAdmin(t.db, { username: "x", password: "yyyyyyyy" })).toEqual({ created: false });
    expect((await t.db.select().from(adminUsers)).length).toBe(1);
  });
});

describe("login", () => {
  it("opens a session for the right password and refuses the wrong one with one message", async () => {
    const { username, password } = await seedAdmin();
    const good = await attempt(username, password);
    expect(good.ok).toBe(true);
    const wrongPassword = await attempt(username, "nope-nope");
    const unknownUser = await attempt("ghost", password);
    for (const r of [wrongPassword, unknownUser]) {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toBeInstanceOf(DomainError);
        expect(r.error.message).toBe(LOGIN_MSG.wrongCredentials);
      }
    }
  });

  it("issues a new random session id every time (no fixation)", async () => {
    const { username, password } = await seedAdmin();
    const a = await attempt(username, password);
    const b = await attempt(username, password);
    if (!a.ok || !b.ok) throw new Error("login failed");
    expect(a.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.sessionId).not.toBe(b.sessionId);
    const rows = await t.db.select().from(sessions);
    expect(rows.map((r) => r.idHash).sort()).toEqual([hashSessionId(a.sessionId), hashSessionId(b.sessionId)].sort());
    expect(JSON.stringify(rows)).not.toContain(a.sessionId);
  });

  it("throttles an IP+username after the limit, even with the right password, without locking out other IPs", async () => {
    const { username, password } = await seedAdmin();
    for (let i = 0; i < policy.maxFailures; i++) expect((await attempt(username, "wrong")).ok).toBe(false);
    const locked = await attempt(username, password);
    expect(locked.ok).toBe(false);
    if (!locked.ok) {
      expect(locked.error).toBeInstanceOf(HttpError);
      expect((locked.error as HttpError).status).toBe(429);
      expect(locked.error.message).toMatch(/too many failed login attempts; try again in 15 minutes/);
      expect((locked.error as HttpError).headers["Retry-After"]).toBe("900");
    }
    expect((await attempt(username, password, "198.51.100.9")).ok).toBe(true);
    // The window passes: the first IP may try again.
    expect((await attempt(username, password, "203.0.113.1", NOW + policy.windowMs + 1)).ok).toBe(true);
  });

  it("throttles an IP spraying many usernames", async () => {
    await seedAdmin();
    for (let i = 0; i < policy.maxFailuresPerIp; i++) await attempt(`user${i}`, "wrong");
    const r = await attempt("admin", "correct horse battery");
    expect(!r.ok && (r.error as HttpError).status === 429).toBe(true);
  });

  it("a success clears the IP+username counter", async () => {
    const { username, password } = await seedAdmin();
    for (let i = 0; i < policy.maxFailures - 1; i++) await attempt(username, "wrong");
    expect((await attempt(username, password)).ok).toBe(true);
    for (let i = 0; i < policy.maxFailures - 1; i++) await attempt(username, "wrong");
    expect((await attempt(username, password)).ok).toBe(true);
  });
});

describe("sessions", () => {
  async function openSession(now = NOW) {
    const { username, password } = await seedAdmin();
    const r = await attempt(username, password, "203.0.113.1", now);
    if (!r.ok) throw r.error;
    return r;
  }

  it("resolves a live session and refreshes lastSeen at most once a minute", async () => {
    const s = await openSession();
    expect(await resolveSession(t.db, s.sessionId, policy, NOW + 1000)).toMatchObject({ username: "admin" });
    t.queries.length = 0;
    await resolveSession(t.db, s.sessionId, policy, NOW + 2000);
    expect(t.queries.filter((q) => q.startsWith("update"))).toHaveLength(0);
    await resolveSession(t.db, s.sessionId, policy, NOW + 61_000);
    expect(t.queries.filter((q) => q.startsWith("update"))).toHaveLength(1);
  });

  it("ends after the idle timeout", async () => {
    const s = await openSession();
    expect(await resolveSession(t.db, s.sessionId, policy, NOW + policy.idleMs - 1)).not.toBeNull();
    expect(await resolveSession(t.db, s.sessionId, policy, NOW + 2 * policy.idleMs)).toBeNull();
    // …and it is gone for good, not just hidden.
    expect(await t.db.select().from(sessions)).toHaveLength(0);
  });

  it("ends at the absolute limit however active it is", async () => {
    const s = await openSession();
    for (let at = NOW; at < NOW + policy.maxMs; at += policy.idleMs / 2) {
      expect(await resolveSession(t.db, s.sessionId, policy, at)).not.toBeNull();
    }
    expect(await resolveSession(t.db, s.sessionId, policy, NOW + policy.maxMs)).toBeNull();
  });

  it("ignores malformed and unknown cookies", async () => {
    await openSession();
    expect(await resolveSession(t.db, undefined, policy, NOW)).toBeNull();
    expect(await resolveSession(t.db, "short", policy, NOW)).toBeNull();
    expect(await resolveSession(t.db, newRandomId(), policy, NOW)).toBeNull();
  });

  it("logout deletes the row; a replayed cookie fails", async () => {
    const s = await openSession();
    expect(await endSession(t.db, s.sessionId, { ip: "192.0.2.1" }, policy, NOW)).toBe(true);
    expect(await resolveSession(t.db, s.sessionId, policy, NOW)).toBeNull();
    expect(await endSession(t.db, s.sessionId, { ip: "192.0.2.1" }, policy, NOW)).toBe(false);
  });

  it("a password reset ends every session of that admin", async () => {
    const s = await openSession();
    await resetAdmin(t.db, "admin", "another password");
    expect(await resolveSession(t.db, s.sessionId, policy, NOW)).toBeNull();
  });

  it("logging in again from the same browser ends the session it had, in the same transaction", async () => {
    const a = await openSession();
    const b = await login(t.db, loginBody.parse({ username: "admin", password: "correct horse battery" }), { ...meta(), replacing: a.sessionId }, policy, NOW);
    expect(await resolveSession(t.db, a.sessionId, policy, NOW)).toBeNull();
    expect(await resolveSession(t.db, b.sessionId, policy, NOW)).not.toBeNull();
  });
});

describe("CSRF tokens", () => {
  it("are bound to the browser's CSRF key and reveal nothing of it", () => {
    const id = newRandomId();
    const csrf = csrfTokenFor(id);
    expect(csrf).not.toContain(id);
    expect(isValidCsrfToken(id, csrf)).toBe(true);
    expect(isValidCsrfToken(newRandomId(), csrf)).toBe(false);
    expect(isValidCsrfToken(id, csrf.slice(0, -1))).toBe(false);
    expect(isValidCsrfToken(id, "")).toBe(false);
    expect(isValidCsrfToken(id, null)).toBe(false);
  });
});

describe("the browser cookie", () => {
  const key = newRandomId();
  const sid = newRandomId();
  it.each([
    [key, { csrfKey: key, sessionId: null }],
    [`${key}.${sid}`, { csrfKey: key, sessionId: sid }],
    [undefined, null],
    ["", null],
    ["short", null],
    [`${key}.short`, null],
    [`${key}.${sid}.${sid}`, null],
    [`${key}.`, null],
    [`.${sid}`, null],
  ])("%j parses to %j", (value, expected) => expect(parseBrowserCookie(value)).toEqual(expected));

  it("keeps the CSRF key when a session id is added (a token fetched before login stays valid)", () => {
    const before = parseBrowserCookie(browserCookieValue({ csrfKey: key, sessionId: null }))!;
    const after = parseBrowserCookie(browserCookieValue({ csrfKey: before.csrfKey, sessionId: sid }))!;
    expect(isValidCsrfToken(after.csrfKey, csrfTokenFor(before.csrfKey))).toBe(true);
    expect(after.sessionId).toBe(sid);
  });
});
