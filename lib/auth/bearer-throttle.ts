import type { Db } from "@/db/client";
import { ANONYMOUS } from "@/lib/audit/context";
import { minuteBucket, noteAggregated } from "@/lib/audit/aggregate";
import { takeSharedPlace, windowUsage } from "@/lib/rate-limit/shared-window";

/**
 * Refused bearer attempts per source IP. Once an IP has MAX_FAILURES in a
 * minute, its refused tokens get 429 for a minute (its good tokens are never
 * refused by this; other IPs are unaffected). The count is one budget across
 * instances (`bearer:ip:<ip>` in rate_limits, lib/rate-limit/shared-window.ts),
 * with no database round trip per request; a blocked IP's refusals are not
 * counted at all, so a flood from it costs no writes. With N instances an IP
 * gets at most MAX + (N − 1) × unconfirmedShare(MAX) refusals (20 + 2 per
 * extra instance by default) before every instance answers 429.
 */
export const MAX_BEARER_FAILURES_PER_MINUTE = 20; // default of BEARER_MAX_FAILURES_PER_MINUTE
/** The counting window, and how long an IP stays blocked. */
const BLOCK_MS = 60_000;
const MAX_TRACKED = 50_000;

/** IP → blocked until (Unix ms), per database like every other piece of this process's state. */
const blockedByDb = new WeakMap<Db, Map<string, number>>();

function blockedOf(db: Db): Map<string, number> {
  let blocked = blockedByDb.get(db);
  if (!blocked) blockedByDb.set(db, (blocked = new Map()));
  return blocked;
}

/** Milliseconds this IP must still wait, or 0. */
export function bearerBlockedFor(db: Db, ip: string, now: number): number {
  const blocked = blockedOf(db);
  const until = blocked.get(ip);
  if (until === undefined) return 0;
  if (until <= now) {
    blocked.delete(ip);
    return 0;
  }
  return until - now;
}

/**
 * Records a refused bearer attempt and says how long (ms) to answer it with
 * 429 instead of 401 (0: answer 401). Counted only while the IP is within its
 * budget; it waits for a flush only in a burst beyond this instance's
 * unconfirmed share (shared-window.ts), never once the IP is blocked.
 */
export async function recordBearerFailure(db: Db, ip: string, now: number, max = MAX_BEARER_FAILURES_PER_MINUTE): Promise<number> {
  noteAggregated(
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
  const wait = bearerBlockedFor(db, ip, now);
  if (wait > 0) return wait;
  const key = `bearer:ip:${ip}`;
  const place = await takeSharedPlace(db, key, max, BLOCK_MS, now);
  // Unconfirmable (the database is away): throttled, not blocked.
  if (!place.taken) return place.spent ? block(db, ip, now) : BLOCK_MS;
  if (windowUsage(db, key, BLOCK_MS, now).used >= max) block(db, ip, now);
  return 0;
}

function block(db: Db, ip: string, now: number): number {
  const blocked = blockedOf(db);
  // Many IPs (an IPv6 sweep) must not grow this without bound.
  if (blocked.size >= MAX_TRACKED) for (const [key, until] of blocked) if (until <= now) blocked.delete(key);
  if (blocked.size < MAX_TRACKED) blocked.set(ip, now + BLOCK_MS);
  return BLOCK_MS;
}
