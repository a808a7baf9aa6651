import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import type { AuditAction } from "@/db/schema/audit-events";
import { ANONYMOUS } from "@/lib/audit/context";
import { keyedHash } from "@/lib/crypto/panel-key";
import { auditStatement } from "@/lib/audit/record";
import { DomainError, HttpError } from "@/lib/errors";
import { clearHits, releaseAttempts, takeAttempt } from "@/lib/rate-limit/counters";

export interface ThrottlePolicy {
  /** Failures allowed per IP + username per window. */
  maxFailures: number;
  /** Failures allowed per IP (any username) per window. */
  maxFailuresPerIp: number;
  windowMs: number;
}

/**
 * Runs a password check under the failure budget shared by login and every
 * other place that asks for a password. Once a budget is spent the check is not
 * even run (429), so a locked-out guesser learns nothing; a success clears the
 * IP+username counter and gives its place in the IP's budget back.
 */
export async function throttledPasswordCheck<T>(
  db: Db,
  who: { ip: string; username: string },
  policy: ThrottlePolicy,
  failure: { message: string; action: AuditAction },
  check: () => Promise<T | null>,
  now = Date.now(),
): Promise<T> {
  // Guessing one admin's password from one address / spraying usernames from one address.
  // The key holds an HMAC of the attempted name under the panel key, not the name nor a plain
  // hash of it: people type their password into the username field, and a database copy must
  // not let anyone test guesses against what a failed attempt left behind.
  const pair = `login:user:${who.ip}:${keyedHash("throttle", who.username.toLowerCase())}`;
  const perIp = `login:ip:${who.ip}`;
  // The attempt is counted before the check, in the same statement that decides whether it may
  // run: parallel guesses on any number of instances get at most the budget's checks between them.
  const wait = await takeAttempt(
    db,
    [
      { key: pair, max: policy.maxFailures },
      { key: perIp, max: policy.maxFailuresPerIp },
    ],
    policy.windowMs,
    now,
  );
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60_000);
    throw new HttpError(429, `too many failed login attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, {
      "Retry-After": String(Math.ceil(wait / 1000)),
    });
  }
  const result = await check();
  if (result === null) {
    // Name the admin only if one by that name exists: people type passwords into username fields.
    const known = await db
      .select({ id: adminUsers.id, username: adminUsers.username })
      .from(adminUsers)
      .where(eq(adminUsers.username, who.username))
      .get();
    await auditStatement(
      db,
      { actor: ANONYMOUS, ip: who.ip },
      { action: failure.action, outcome: "failure", target: { type: "admin", id: known?.id ?? null, name: known?.username ?? "" } },
      now,
    );
    throw new DomainError(failure.message);
  }
  // A success is no failure: the IP's budget gets its place back, the pair starts afresh.
  await releaseAttempts(db, [perIp]);
  await clearHits(db, [pair]);
  return result;
}
