import "server-only";
import { eq, lt, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import { sessions } from "@/db/schema/sessions";
import { auditStatement } from "@/lib/audit/record";
import { commit } from "@/lib/db/commit";
import { hashSessionId, newRandomId } from "./secrets";

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export interface SessionUser {
  userId: number;
  username: string;
  /** SHA-256 of the cookie value: identifies the session without being it. */
  sessionHash: string;
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
    expiresAt: now + policy.maxMs,
    ip: meta.ip,
    userAgent: meta.userAgent.slice(0, USER_AGENT_MAX),
  });
  return { id, statement };
}

/**
 * The admin behind a session id (from the browser cookie), or null when there
 * is none, or it is unknown, idle too long, past its absolute end, or older
 * than the admin's last credential change.
 */
export async function resolveSession(
  db: Db,
  sessionId: string | null | undefined,
  policy: SessionPolicy,
  now = Date.now(),
): Promise<SessionUser | null> {
  if (!sessionId) return null;
  const idHash = hashSessionId(sessionId);
  const row = await db
    .select({
      userId: sessions.userId,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      username: adminUsers.username,
      credentialsChangedAt: adminUsers.credentialsChangedAt,
    })
    .from(sessions)
    .innerJoin(adminUsers, eq(adminUsers.id, sessions.userId))
    .where(eq(sessions.idHash, idHash))
    .get();
  if (!row) return null;
  const expired =
    row.expiresAt <= now || row.lastSeenAt + policy.idleMs <= now || row.createdAt < row.credentialsChangedAt;
  if (expired) {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
    return null;
  }
  if (now - row.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash));
  }
  return { userId: row.userId, username: row.username, sessionHash: idHash };
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
  await commit(db, [
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
