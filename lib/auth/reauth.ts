import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sessions } from "@/db/schema/sessions";
import { auditStatement } from "@/lib/audit/record";
import type { AuditContext } from "@/lib/audit/context";
import { commit } from "@/lib/db/commit";
import { HttpError } from "@/lib/errors";
import { REAUTH_HEADER, REAUTH_MSG } from "@/lib/auth/reauth-words";
import type { Actor } from "./request-auth";
import { cachedSession, forgetSession } from "./session-cache";

export { REAUTH_MSG };

/** How long a password/code/passkey confirmation (or the login itself) counts. */
export const REAUTH_WINDOW_MS = 10 * 60_000;

/**
 * "Sudo mode": throws 403 (REAUTH_MSG, `X-Reauth-Required: 1`) unless this
 * session confirmed who it is within REAUTH_WINDOW_MS. Bearer tokens always
 * pass: they are the credential. A session that looks too old here is read
 * again first, since it may have confirmed on another instance a moment ago.
 */
export async function requireRecentAuth(db: Db, actor: Actor, now: number): Promise<void> {
  if (actor.kind === "token") return;
  if (now - actor.authenticatedAt < REAUTH_WINDOW_MS) return;
  forgetSession(db, actor.sessionHash);
  const row = await cachedSession(db, actor.sessionHash, now);
  if (row && now - row.authenticatedAt < REAUTH_WINDOW_MS) return;
  throw new HttpError(403, REAUTH_MSG, { [REAUTH_HEADER]: "1" });
}

/**
 * Records a confirmation for this session (a checked password, code or
 * passkey), with its audit row. Other instances need no notice: they read
 * the row again before refusing (above).
 */
export async function markReauthenticated(
  db: Db,
  sessionHash: string,
  ctx: AuditContext & { userId: number; username: string; method: "password" | "totp" | "recovery" | "passkey" },
  now: number,
): Promise<void> {
  await commit(db, [
    db.update(sessions).set({ authenticatedAt: now }).where(eq(sessions.idHash, sessionHash)),
    auditStatement(
      db,
      ctx,
      { action: "session.reauthenticated", target: { type: "admin", id: ctx.userId, name: ctx.username }, detail: { method: ctx.method } },
      now,
    ),
  ]);
  forgetSession(db, sessionHash);
}
