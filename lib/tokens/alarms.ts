import "server-only";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { minuteBucket, noteAggregated } from "@/lib/audit/aggregate";
import { ANONYMOUS } from "@/lib/audit/context";
import { writeInBackground } from "@/lib/db/outage";

/**
 * Uses of a token that must never work, recorded without a database statement
 * on the request path: audit rows are counted in memory (per token, address,
 * route and minute) and written with the next aggregate flush, flags in the
 * background. The caller answers exactly as for an unknown token.
 */

/** The token's flag (`reuse_detected_at`) is written at most this often per token and process. */
const FLAG_INTERVAL_MS = 60_000;

/** One `token.*` alarm row, counted per token, address, route (and user agent) and minute. */
function noteAlarm(
  db: Db,
  action: "token.reuse_detected" | "token.canary_triggered",
  token: { id: number; name: string },
  ip: string,
  detail: { route: string; userAgent?: string },
  now: number,
): void {
  noteAggregated(
    db,
    {
      key: `${action}|${token.id}|${ip}|${detail.route}|${detail.userAgent ?? ""}|${minuteBucket(now)}`,
      action,
      outcome: "denied",
      actor: ANONYMOUS,
      ip,
      target: { type: "token", id: token.id, name: token.name },
      detail,
    },
    now,
  );
}

/** A rotated-out secret presented after its grace period: someone still holds (or found) the old secret. */
export function noteReuse(db: Db, token: { id: number; name: string; reuseNotedAt: number }, call: { ip: string; route: string }, now: number): void {
  noteAlarm(db, "token.reuse_detected", token, call.ip, { route: call.route }, now);
  if (now - token.reuseNotedAt < FLAG_INTERVAL_MS) return;
  token.reuseNotedAt = now;
  // Dropped if it fails: the audit row has it, and the next reuse after the interval writes the flag again.
  writeInBackground(
    db.update(apiTokens)
      .set({ reuseDetectedAt: now })
      .where(and(eq(apiTokens.id, token.id), lt(apiTokens.reuseDetectedAt, now - FLAG_INTERVAL_MS))),
    "token reuse flags",
    "could not flag a reused token secret",
    { tokenId: token.id },
  );
}

/** The longest user agent kept in a canary's audit row. */
const MAX_USER_AGENT = 200;

/**
 * A canary token presented: whoever holds it found it where it was planted.
 * Audited with the address, route and user agent; its last use is recorded as
 * any token's is (by the verifier).
 */
export function noteCanaryUse(db: Db, token: { id: number; name: string }, call: { ip: string; route: string; userAgent: string }, now: number): void {
  noteAlarm(db, "token.canary_triggered", token, call.ip, { route: call.route, userAgent: call.userAgent.slice(0, MAX_USER_AGENT) }, now);
}
