import "server-only";
import { and, eq, lt, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { minuteBucket, noteAggregated } from "@/lib/audit/aggregate";
import { ANONYMOUS, systemContext } from "@/lib/audit/context";
import { auditTokensWhere } from "@/lib/audit/record";
import { writeInBackground } from "@/lib/db/outage";
import { readTokenPolicy } from "./policy";
import { writeTokenChange } from "./write";

/**
 * Uses of a token that must never work, recorded without a database statement
 * on the request path: audit rows are counted in memory (per token, address,
 * route and minute) and written with the next aggregate flush, flags (and a
 * policy's disabling) in the background. The caller answers exactly as for an unknown token.
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

/**
 * A rotated-out secret presented after its grace period: someone still holds
 * (or found) the old secret. Flags the token and, if the token policy says so,
 * disables it (audited `token.disable`, reason `reuse detected`, by the
 * system); both in the background, at most once a minute per token and process.
 */
export function noteReuse(
  db: Db,
  token: { id: number; name: string; reuseNotedAt: number },
  hash: string,
  call: { ip: string; route: string },
  now: number,
): void {
  noteAlarm(db, "token.reuse_detected", token, call.ip, { route: call.route }, now);
  if (now - token.reuseNotedAt < FLAG_INTERVAL_MS) return;
  token.reuseNotedAt = now;
  // Dropped if it fails: the audit row has it, and the next reuse after the interval tries again.
  writeInBackground(flagReuse(db, token.id, hash, call.ip, now), "token reuse flags", "could not flag a reused token secret", { tokenId: token.id });
}

async function flagReuse(db: Db, tokenId: number, hash: string, ip: string, now: number): Promise<void> {
  await db
    .update(apiTokens)
    .set({ reuseDetectedAt: now })
    .where(and(eq(apiTokens.id, tokenId), lt(apiTokens.reuseDetectedAt, now - FLAG_INTERVAL_MS)));
  if (!(await readTokenPolicy(db)).disableOnReuse) return;
  // Checked in the write too: the secret may have been rotated again since this process cached it.
  const on = and(
    eq(apiTokens.id, tokenId),
    eq(apiTokens.enabled, true),
    eq(apiTokens.previousTokenHash, hash),
    lte(apiTokens.previousValidUntil, now),
  )!;
  // Checked first: a token already off needs no write and no generation bump.
  if (!(await db.select({ id: apiTokens.id }).from(apiTokens).where(on).get())) return;
  await writeTokenChange(db, {
    auditBefore: auditTokensWhere(db, { ...systemContext("reuse detection"), ip }, "token.disable", on, now, { reason: "reuse detected" }),
    change: db.update(apiTokens).set({ enabled: false }).where(on),
  });
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
