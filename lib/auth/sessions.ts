import "server-only";
import { and, eq, lt, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sessions } from "@/db/schema/sessions";
import { auditStatement } from "@/lib/audit/record";
import { writeInBackground } from "@/lib/db/outage";
import { hashSessionId, newRandomId } from "./secrets";
import { cachedSession, forgetSession, type CachedSession } from "./session-cache";
import { commitSessionChanges } from "./session-ends";

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export interface SessionUser {
  userId: number;
  username: string;
  /** SHA-256 of the cookie value: identifies the session without being it. */
  sessionHash: string;
  /** Unix ms of the login or the last re-authentication (lib/auth/reauth.ts). */
  authenticatedAt: number;
}

/** lastSeenAt is refreshed at most this often: reads stay write-free. */
const TOUCH_INTERVAL_MS = 60_000;
const USER_AGENT_MAX = 256;

/**
 * A new session: its random id (for the cookie, never stored) and the insert
 * statement, for the caller to commit together with its audit row.
 */
export function newSession(
  db: Db,
  userId: number,
  meta: { ip: string; userAgent: string },
  policy: SessionPolicy,
  now = Date.now(),
) {
  const id = newRandomId();
  const statement = db.insert(sessions).values({
    idHash: hashSessionId(id),
    userId,
    createdAt: now,
    lastSeenAt: now,
    authenticatedAt: now,
    expiresAt: now + policy.maxMs,
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, USER_AGENT_MAX),
  });
  return { id, statement };
}

/**
 * The admin behind a session id (from the browser cookie), or null when there
 * is none, or it is unknown, idle too long, past its absolute end, or older
 * than the admin's last credential change. Answered from memory when it can
 * be (session-cache.ts); a remembered session that looks over is read again
 * first (another instance may have seen it since) and deleted only if it is.
 */
export async function resolveSession(
  db: Db,
  sessionId: string | null | undefined,
  policy: SessionPolicy,
  now = Date.now(),
): Promise<SessionUser | null> {
  if (!sessionId) return null;
  const idHash = hashSessionId(sessionId);
  let row = await cachedSession(db, idHash, now);
  if (row && isOver(row, policy, now)) {
    forgetSession(db, idHash);
    row = await cachedSession(db, idHash, now);
    if (row && isOver(row, policy, now)) {
      forgetSession(db, idHash);
      await db.delete(sessions).where(eq(sessions.idHash, idHash));
      return null;
    }
  }
  if (!row) return null;
  if (now - row.lastSeenAt >= TOUCH_INTERVAL_MS) touch(db, row, idHash, now);
  return { userId: row.userId, username: row.username, sessionHash: idHash, authenticatedAt: row.authenticatedAt };
}

function isOver(row: CachedSession, policy: SessionPolicy, now: number): boolean {
  return row.expiresAt <= now || row.lastSeenAt + policy.idleMs <= now || row.createdAt < row.credentialsChangedAt;
}

/**
 * Records activity at most once a minute per session and process. Not awaited:
 * the answer does not depend on it, and a lost write only makes "last seen" a
 * minute older.
 */
function touch(db: Db, row: CachedSession, idHash: string, now: number): void {
  row.lastSeenAt = now;
  writeInBackground(
    db.update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.idHash, idHash), lt(sessions.lastSeenAt, now))),
    "session last-seen writes",
    "could not record session activity",
  );
}

/** The statement that ends one session, by its cookie value. */
export function sessionDeletion(db: Db, sessionId: string) {
  return db.delete(sessions).where(eq(sessions.idHash, hashSessionId(sessionId)));
}

/**
 * Logout: deletes the session and records who logged out, in one transaction.
 * Returns false when the cookie named no live session (nothing to end).
 */
export async function endSession(
  db: Db,
  sessionId: string | null | undefined,
  meta: { ip: string },
  policy: SessionPolicy,
  now = Date.now(),
): Promise<boolean> {
  const session = await resolveSession(db, sessionId, policy, now);
  if (!session) return false;
  await commitSessionChanges(db, [
    db.delete(sessions).where(eq(sessions.idHash, session.sessionHash)),
    auditStatement(
      db,
      { actor: { type: "session", id: session.userId, name: session.username }, ip: meta.ip },
      { action: "logout", target: { type: "admin", id: session.userId, name: session.username } },
      now,
    ),
  ]);
  return true;
}

/** Drops rows no request can use any more; called on login, so the table stays small. */
export async function purgeExpiredSessions(db: Db, policy: SessionPolicy, now = Date.now()): Promise<void> {
  await db.delete(sessions).where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, now - policy.idleMs)));
}
