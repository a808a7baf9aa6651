import { and, inArray, lt, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rateLimits } from "@/db/schema/rate-limits";
import { runBatch } from "@/lib/db/batch";

/**
 * Fixed-window budgets kept in the database, so every panel instance sharing
 * it enforces one budget. Used by lib/auth/ (logins) and lib/tokens/ (leak
 * reports), so it lives under neither. The hot-path counters (refused bearer
 * tokens, per-token limits) are batched instead: shared-window.ts.
 */
export interface Limit {
  key: string;
  max: number;
}

/**
 * One attempt against a key, counted and decided by one atomic UPSERT: the
 * count stops at max + 1, so a returned count ≤ max means this attempt got one
 * of the budget's places, however many instances ask at once.
 */
function takeStatement(db: Db, limit: Limit, windowMs: number, now: number) {
  const stale = sql`${rateLimits.windowStart} <= ${now - windowMs}`;
  return db
    .insert(rateLimits)
    .values({ key: limit.key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      // SET expressions read the row as it was before this statement.
      set: {
        count: sql`CASE WHEN ${stale} THEN 1 WHEN ${rateLimits.count} > ${limit.max} THEN ${rateLimits.count} ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${stale} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
}

/**
 * Takes one attempt from every limit at once (one transaction). Returns 0 when
 * all of them had room (the attempt now counts against each), else the
 * milliseconds until the first exhausted one resets; a refused attempt uses up
 * nothing (places it took from the other limits are given back).
 */
export async function takeAttempt(db: Db, limits: Limit[], windowMs: number, now = Date.now()): Promise<number> {
  const [first, ...rest] = limits.map((limit) => takeStatement(db, limit, windowMs, now));
  if (!first) return 0;
  const results = await db.batch([first, ...rest]);
  let wait = 0;
  const taken: string[] = [];
  results.forEach(([row], i) => {
    if (row!.count <= limits[i]!.max) taken.push(limits[i]!.key);
    else wait = Math.max(wait, row!.windowStart + windowMs - now, 1);
  });
  if (wait > 0) await releaseAttempts(db, taken);
  return wait;
}

/** Gives back one attempt per key (a success that is not a failure); a row back at 0 goes. */
export async function releaseAttempts(db: Db, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await runBatch(db, [
    db
      .update(rateLimits)
      .set({ count: sql`${rateLimits.count} - 1` })
      .where(inArray(rateLimits.key, keys)),
    db.delete(rateLimits).where(and(inArray(rateLimits.key, keys), lte(rateLimits.count, 0))),
  ]);
}

export async function clearHits(db: Db, keys: string[]): Promise<void> {
  if (keys.length) await db.delete(rateLimits).where(inArray(rateLimits.key, keys));
}

export async function purgeStaleWindows(db: Db, windowMs: number, now = Date.now()): Promise<void> {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - windowMs));
}
