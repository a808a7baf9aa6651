import { inArray, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rateLimits } from "@/db/schema/rate-limits";
import { runBatch } from "@/lib/db/batch";

/**
 * Fixed-window failure counters kept in the database, so every panel instance
 * sharing it enforces one budget. Used by lib/auth/ (logins) and lib/tokens/
 * (leak reports), so it lives under neither.
 */
export interface Limit {
  key: string;
  max: number;
}

/** Milliseconds until the first exhausted limit resets, or 0 if none is exhausted. */
export async function retryAfterMs(db: Db, limits: Limit[], windowMs: number, now = Date.now()): Promise<number> {
  if (limits.length === 0) return 0;
  const rows = await db
    .select()
    .from(rateLimits)
    .where(
      inArray(
        rateLimits.key,
        limits.map((l) => l.key),
      ),
    );
  let wait = 0;
  for (const row of rows) {
    const limit = limits.find((l) => l.key === row.key);
    const resetsAt = row.windowStart + windowMs;
    if (limit && resetsAt > now && row.count >= limit.max) wait = Math.max(wait, resetsAt - now);
  }
  return wait;
}

/** Counts one hit (a failure, a request…) against each key; a stale window restarts at 1. */
export async function countHit(db: Db, keys: string[], windowMs: number, now = Date.now()): Promise<void> {
  const staleBefore = now - windowMs;
  await runBatch(
    db,
    keys.map((key) =>
      db
        .insert(rateLimits)
        .values({ key, windowStart: now, count: 1 })
        .onConflictDoUpdate({
          target: rateLimits.key,
          set: {
            count: sql`CASE WHEN ${rateLimits.windowStart} <= ${staleBefore} THEN 1 ELSE ${rateLimits.count} + 1 END`,
            windowStart: sql`CASE WHEN ${rateLimits.windowStart} <= ${staleBefore} THEN ${now} ELSE ${rateLimits.windowStart} END`,
          },
        }),
    ),
  );
}

export async function clearHits(db: Db, keys: string[]): Promise<void> {
  if (keys.length) await db.delete(rateLimits).where(inArray(rateLimits.key, keys));
}

export async function purgeStaleWindows(db: Db, windowMs: number, now = Date.now()): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - windowMs));
}
