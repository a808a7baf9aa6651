import type { Db } from "@/db/client";
import { ANONYMOUS } from "@/lib/audit/context";
import { minuteBucket, noteAggregated } from "@/lib/audit/aggregate";

/**
 * Failed bearer attempts per source IP. After MAX_FAILURES in a minute the IP
 * gets 429 for a minute on every bearer request (its good tokens too; other
 * IPs are unaffected). Counting rides on the aggregated `bearer.failure` audit
 * rows, so the budget is shared by all instances as of their last flush (a few
 * seconds), with no database work per request.
 */
export const MAX_BEARER_FAILURES_PER_MINUTE = 20; // default of BEARER_MAX_FAILURES_PER_MINUTE
const BLOCK_MS = 60_000;
const MAX_TRACKED = 50_000;

const blocked = new Map<string, number>();

/** Milliseconds this IP must still wait, or 0. */
export function bearerBlockedFor(ip: string, now: number): number {
  const until = blocked.get(ip);
  if (until === undefined) return 0;
  if (until <= now) {
    blocked.delete(ip);
    return 0;
  }
  return until - now;
}

export function recordBearerFailure(db: Db, ip: string, now: number, max = MAX_BEARER_FAILURES_PER_MINUTE): void {
  const total = noteAggregated(
    db,
    {
      key: `bearer.failure|${ip}|${minuteBucket(now)}`,
      action: "bearer.failure",
      outcome: "failure",
      actor: ANONYMOUS,
      ip,
    },
    now,
  );
  if (total >= max && !blocked.has(ip)) {
    // Many IPs (an IPv6 sweep) must not grow this without bound.
    if (blocked.size >= MAX_TRACKED) for (const [key, until] of blocked) if (until <= now) blocked.delete(key);
    if (blocked.size < MAX_TRACKED) blocked.set(ip, now + BLOCK_MS);
  }
}
