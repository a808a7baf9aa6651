import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "@/db/client";
import { rateLimits } from "@/db/schema/rate-limits";
import { nonEmpty } from "@/lib/db/batch";
import { logError } from "@/lib/log";

/**
 * Fixed-window counters shared by every instance through `rate_limits`, for
 * limits checked on the hot path (refused bearer tokens, per-token request
 * limits), where a request must not wait for the database.
 *
 * Hits gather in memory; one flush at a time writes them, one atomic
 * `UPSERT … RETURNING` per key in one batch, and learns each key's shared
 * total. The next flush starts as soon as the previous one returns (at most
 * one per FLUSH_GAP_MS, so a flood costs a few writes a second, not one per
 * turn of the event loop). A decision reads the last learned total plus this
 * instance's hits not yet confirmed by a flush, so it misses only what other
 * instances accepted since its own last flush returned. takeSharedPlace()
 * therefore holds at most `unconfirmedShare(budget)` unconfirmed hits per key:
 * a request beyond that waits for the next flush (started at once), so each
 * other instance can overshoot a budget by at most that share, whatever the
 * round trip, and N instances stay within budget + (N − 1) × share. Requests
 * within the share, and every request once the budget is spent, never wait.
 */
const RETRY_AFTER_ERROR_MS = 1_000;
/**
 * Background flushes are at least this far apart; a request that must wait for
 * a flush never waits for the gap. At 20 ms (50 commits a second, on the main
 * thread when embedded) a flood lost 10–20 % of its throughput in a paired A/B.
 */
const FLUSH_GAP_MS = 250;
/** Keys tracked at once; beyond this new keys are not counted (an IPv6 sweep must not grow memory without bound). */
const MAX_KEYS = 50_000;
const PRUNE_INTERVAL_MS = 5_000;

interface KeyState {
  windowMs: number;
  /** The shared count and its window start as of our last flush of this key (0, 0: none known). */
  total: number;
  windowStart: number;
  /** Hits not yet sent, and hits in the flush in flight. */
  pending: number;
  inFlight: number;
  /** When the oldest hit not yet reflected in `total` happened: the window's start if the database has none. */
  firstHitAt: number;
}

interface CounterState {
  keys: Map<string, KeyState>;
  /** Keys with hits not yet sent. */
  dirty: Set<string>;
  lastPrune: number;
  /** The flush in flight, or the one scheduled next. */
  flush?: Promise<void>;
  /** Starts the scheduled flush now, if it has not started. */
  expedite?: () => void;
  /** A request waits for the next flush: no gap before it. */
  urgent: boolean;
  lastFlushAt: number;
  /** The last flush failed (the database is away): waiting for the next one is pointless. */
  failing: boolean;
}

const states = new WeakMap<Db, CounterState>();

function stateOf(db: Db): CounterState {
  let s = states.get(db);
  if (!s) {
    s = { keys: new Map(), dirty: new Set(), lastPrune: 0, lastFlushAt: 0, urgent: false, failing: false };
    states.set(db, s);
  }
  return s;
}

export interface WindowUsage {
  /** Hits in the current window, all instances as far as known. */
  used: number;
  /** Unix ms when the current window ends. */
  resetsAt: number;
  /** This instance's hits no flush has confirmed yet (included in `used`). */
  unconfirmed: number;
}

/** How many unconfirmed hits per key a caller may accept: a tenth of the budget, at least one. */
export function unconfirmedShare(budget: number): number {
  return Math.max(1, Math.floor(budget / 10));
}

/** What a key has used of its current window (no database work). */
export function windowUsage(db: Db, key: string, windowMs: number, now: number): WindowUsage {
  const k = stateOf(db).keys.get(key);
  if (!k) return { used: 0, resetsAt: now + windowMs, unconfirmed: 0 };
  const current = k.windowStart > 0 && now < k.windowStart + windowMs;
  const local = k.pending + k.inFlight;
  const windowStart = current ? k.windowStart : local > 0 ? k.firstHitAt : now;
  return { used: (current ? k.total : 0) + local, resetsAt: windowStart + windowMs, unconfirmed: local };
}

/** Counts one hit against `key` (written by the next flush) and returns the usage including it. */
export function countSharedHit(db: Db, key: string, windowMs: number, now: number): WindowUsage {
  const s = stateOf(db);
  let k = s.keys.get(key);
  if (!k) {
    if (s.keys.size >= MAX_KEYS) prune(s, now);
    if (s.keys.size >= MAX_KEYS) return windowUsage(db, key, windowMs, now);
    k = { windowMs, total: 0, windowStart: 0, pending: 0, inFlight: 0, firstHitAt: now };
    s.keys.set(key, k);
  }
  if (k.pending + k.inFlight === 0) k.firstHitAt = now;
  k.pending++;
  s.dirty.add(key);
  scheduleFlush(db, s);
  return windowUsage(db, key, windowMs, now);
}

export type SharedPlace = { taken: true } | { taken: false; spent: boolean; resetsAt: number };

/**
 * Takes one place of `budget` in `key`'s current window: counts the hit and
 * answers `taken`, or refuses it, `spent` when the budget is used up (else the
 * count could not be confirmed: the database is away). Waits only while this
 * instance already holds its unconfirmed share of the key, and only while
 * flushes succeed: each one confirms that share, so a burst waits at most
 * about budget ÷ share flushes in a window.
 */
export async function takeSharedPlace(db: Db, key: string, budget: number, windowMs: number, now: number): Promise<SharedPlace> {
  const s = stateOf(db);
  for (let waits = 0; ; waits++) {
    const at = waits === 0 ? now : Date.now();
    const usage = windowUsage(db, key, windowMs, at);
    if (usage.used >= budget) return { taken: false, spent: true, resetsAt: usage.resetsAt };
    if (usage.unconfirmed < unconfirmedShare(budget)) {
      countSharedHit(db, key, windowMs, at);
      return { taken: true };
    }
    if (s.failing) return { taken: false, spent: false, resetsAt: at + RETRY_AFTER_ERROR_MS };
    s.urgent = true;
    scheduleFlush(db, s);
    await s.flush;
  }
}

/** Resolves once every hit counted so far is in the database (tests, shutdown). */
export async function flushSharedHits(db: Db): Promise<void> {
  const s = stateOf(db);
  while (s.flush) await s.flush;
}

function scheduleFlush(db: Db, s: CounterState): void {
  if (s.flush) {
    if (s.urgent) s.expedite?.();
    return;
  }
  const delayMs = s.urgent ? 0 : s.lastFlushAt + FLUSH_GAP_MS - Date.now();
  s.flush = new Promise<void>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      clearTimeout(timer);
      s.expedite = undefined;
      s.urgent = false;
      s.lastFlushAt = Date.now();
      void flush(db, s).finally(resolve);
    };
    // setImmediate gathers every hit of this turn of the event loop into one flush.
    const soon = () => setImmediate(run);
    if (delayMs <= 0) soon();
    else {
      timer = setTimeout(run, delayMs);
      timer.unref?.();
      s.expedite = () => {
        s.expedite = undefined;
        clearTimeout(timer);
        soon();
      };
    }
  }).then(() => {
    s.flush = undefined;
    if (s.dirty.size > 0 || s.urgent) scheduleFlush(db, s);
  });
}

function upsert(db: Db, key: string, hits: number, windowMs: number, now: number) {
  const staleBefore = now - windowMs;
  return db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: hits })
    .onConflictDoUpdate({
      target: rateLimits.key,
      // SET expressions read the row as it was before this statement.
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} <= ${staleBefore} THEN ${hits} ELSE ${rateLimits.count} + ${hits} END`,
        windowStart: sql`CASE WHEN ${rateLimits.windowStart} <= ${staleBefore} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
}

async function flush(db: Db, s: CounterState): Promise<void> {
  const batch: KeyState[] = [];
  const keys: string[] = [];
  const statements: BatchItem<"sqlite">[] = [];
  const now = Date.now();
  for (const key of s.dirty) {
    const k = s.keys.get(key)!;
    k.inFlight = k.pending;
    k.pending = 0;
    batch.push(k);
    keys.push(key);
    statements.push(upsert(db, key, k.inFlight, k.windowMs, now));
  }
  s.dirty.clear();
  if (batch.length === 0) return;
  try {
    const results = (await db.batch(nonEmpty(statements))) as { count: number; windowStart: number }[][];
    batch.forEach((k, i) => {
      const row = results[i]![0]!;
      k.total = row.count;
      k.windowStart = row.windowStart;
      k.inFlight = 0;
    });
    s.failing = false;
    prune(s, now);
  } catch (error) {
    s.failing = true;
    // Kept for the next attempt: a limit must not reset because the database was away for a moment.
    batch.forEach((k, i) => {
      k.pending += k.inFlight;
      k.inFlight = 0;
      s.dirty.add(keys[i]!);
    });
    logError("shared rate-limit flush failed", error);
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_ERROR_MS).unref?.());
  }
}

/** Forgets keys whose window has ended and that hold no unwritten hits. */
function prune(s: CounterState, now: number): void {
  if (now - s.lastPrune < PRUNE_INTERVAL_MS && s.keys.size < MAX_KEYS) return;
  s.lastPrune = now;
  for (const [key, k] of s.keys) {
    if (k.pending + k.inFlight === 0 && now >= k.windowStart + k.windowMs) s.keys.delete(key);
  }
}
