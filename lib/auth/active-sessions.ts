import "server-only";
import { createHash } from "node:crypto";
import Bowser from "bowser";
import { and, desc, eq, gt, gte, ne } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import { sessions } from "@/db/schema/sessions";
import type { AuditContext } from "@/lib/audit/context";
import { auditStatement } from "@/lib/audit/record";
import { DomainError } from "@/lib/errors";
import type { Actor } from "./request-auth";
import { commitSessionChanges } from "./session-ends";
import type { SessionPolicy } from "./sessions";

export const SESSION_MSG = {
  notFound: "session not found",
} as const;

/** `…/sessions/revoke/{id}`: the id the list shows. */
export const sessionIdParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{16}$/, SESSION_MSG.notFound),
});

export const sessionView = z.object({
  id: z.string().describe("Stable for the session's life; not the cookie, nor derivable into it."),
  createdAt: z.number().int().describe("Unix ms (sign-in)."),
  lastSeenAt: z.number().int().describe("Unix ms; recorded at most once a minute."),
  ip: z.string(),
  userAgent: z.string(),
  browser: z.string().describe("From the user agent, e.g. `Chrome 140`; empty when unknown."),
  os: z.string().describe("From the user agent, e.g. `Linux`; empty when unknown."),
  username: z.string(),
  current: z.boolean().describe("The session making this request."),
});
export type SessionView = z.output<typeof sessionView>;

/** The id a session is shown by: a hash of the stored hash, so neither the list nor a log gives the cookie away. */
export function publicSessionId(idHash: string): string {
  return createHash("sha256").update(`xui-panel session view v1:${idHash}`).digest("base64url").slice(0, 16);
}

function describeAgent(userAgent: string): { browser: string; os: string } {
  if (!userAgent.trim()) return { browser: "", os: "" };
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split(".")[0];
  return {
    browser: [parsed.browser.name, major].filter(Boolean).join(" "),
    os: [parsed.os.name, parsed.os.versionName].filter(Boolean).join(" "),
  };
}

/**
 * The live sessions a caller may see: a signed-in admin's own; for an admin
 * token (not anyone's session), every admin's. Newest activity first.
 */
async function liveRows(db: Db, actor: Actor, policy: SessionPolicy, now: number) {
  const live = and(gt(sessions.expiresAt, now), gt(sessions.lastSeenAt, now - policy.idleMs), gte(sessions.createdAt, adminUsers.credentialsChangedAt));
  return db
    .select({
      idHash: sessions.idHash,
      userId: sessions.userId,
      username: adminUsers.username,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      ip: sessions.ip,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .innerJoin(adminUsers, eq(adminUsers.id, sessions.userId))
    .where(actor.kind === "session" ? and(live, eq(sessions.userId, actor.userId)) : live)
    .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt));
}

export async function listSessions(db: Db, actor: Actor, policy: SessionPolicy, now: number): Promise<SessionView[]> {
  const rows = await liveRows(db, actor, policy, now);
  return rows.map((r) => ({
    id: publicSessionId(r.idHash),
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    ip: r.ip,
    userAgent: r.userAgent,
    ...describeAgent(r.userAgent),
    username: r.username,
    current: actor.kind === "session" && r.idHash === actor.sessionHash,
  }));
}

/** Ends one session shown by listSessions (the caller's own included: that is signing out). */
export async function revokeSession(db: Db, actor: Actor, id: string, ctx: AuditContext, policy: SessionPolicy, now: number): Promise<void> {
  const row = (await liveRows(db, actor, policy, now)).find((r) => publicSessionId(r.idHash) === id);
  if (!row) throw new DomainError(SESSION_MSG.notFound);
  await commitSessionChanges(db, [
    db.delete(sessions).where(eq(sessions.idHash, row.idHash)),
    auditStatement(
      db,
      ctx,
      { action: "session.revoked", target: { type: "admin", id: row.userId, name: row.username }, detail: { session: id, ip: row.ip } },
      now,
    ),
  ]);
}

/**
 * Ends every session of the caller's admin but this one; for an admin token,
 * every session of every admin. Returns how many ended; none, nothing written.
 */
export async function revokeOtherSessions(db: Db, actor: Actor, ctx: AuditContext, now: number): Promise<number> {
  const others = actor.kind === "session" ? and(eq(sessions.userId, actor.userId), ne(sessions.idHash, actor.sessionHash)) : undefined;
  const rows = await db.select({ idHash: sessions.idHash, userId: sessions.userId, username: adminUsers.username })
    .from(sessions)
    .innerJoin(adminUsers, eq(adminUsers.id, sessions.userId))
    .where(others);
  if (rows.length === 0) return 0;
  const byAdmin = new Map<number, { name: string; count: number }>();
  for (const r of rows) byAdmin.set(r.userId, { name: r.username, count: (byAdmin.get(r.userId)?.count ?? 0) + 1 });
  await commitSessionChanges(db, [
    db.delete(sessions).where(others),
    ...[...byAdmin].map(([userId, { name, count }]) =>
      auditStatement(db, ctx, { action: "session.revoked", target: { type: "admin", id: userId, name }, detail: { others: true, count } }, now),
    ),
  ]);
  return rows.length;
}

/** The CLI's lockout recovery: every session of one admin ends. */
export async function revokeAllSessionsOf(db: Db, username: string, ctx: AuditContext, now: number): Promise<number> {
  const admin = await db.select({ id: adminUsers.id, username: adminUsers.username }).from(adminUsers).where(eq(adminUsers.username, username)).get();
  if (!admin) throw new DomainError(`no admin named "${username}"`);
  const rows = await db.select({ idHash: sessions.idHash }).from(sessions).where(eq(sessions.userId, admin.id));
  await commitSessionChanges(db, [
    db.delete(sessions).where(eq(sessions.userId, admin.id)),
    auditStatement(db, ctx, { action: "session.revoked", target: { type: "admin", id: admin.id, name: admin.username }, detail: { all: true, count: rows.length } }, now),
  ]);
  return rows.length;
}
