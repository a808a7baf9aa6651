import "server-only";
import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { tokenUsage } from "@/db/schema/token-usage";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { noteAvailable, noteUnavailable } from "@/lib/db/outage";
import { logError, logWarn } from "@/lib/log";
import { USAGE_RETENTION_DAYS } from "./usage-schemas";

/**
 * Which routes each token calls, per UTC day: counted in memory on the
 * request path (no database statement) and added to token_usage by one
 * batch a minute per process, and at shutdown. A crash loses at most that
 * minute's counts. While the database is unreachable the counts wait for the
 * next flush (bounded by MAX_PENDING); other write failures drop them, logged.
 */
export const USAGE_FLUSH_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
/** Distinct (token, day, route) counters held between flushes. */
const MAX_PENDING = 50_000;
const PRUNE_INTERVAL_MS = 3_600_000;

interface UsageState {
  /** `tokenId|day|METHOD|route` → calls not yet written. */
  pending: Map<string, number>;
  timer?: ReturnType<typeof setTimeout>;
  flushing?: Promise<void>;
  lastPrune: number;
  droppedSince: number;
}

/**
 * On globalThis (as the database handle is, db/index.ts): the route handlers
 * count into it, and the start-up module, a bundle of its own, flushes it at shutdown.
 */
const states: WeakMap<Db, UsageState> = ((globalThis as Record<symbol, WeakMap<Db, UsageState>>)[Symbol.for("xui-panel.token-usage")] ??=
  new WeakMap());

function stateOf(db: Db): UsageState {
  let s = states.get(db);
  if (!s) {
    s = { pending: new Map(), lastPrune: 0, droppedSince: 0 };
    states.set(db, s);
  }
  return s;
}

export const usageDay = (now: number) => Math.floor(now / DAY_MS);
/** A usage day as `YYYY-MM-DD` (UTC). */
export const usageDayText = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** One authorised call of `route` (the catalog's pattern) by a token; HEAD counts as GET. */
export function noteTokenUsage(db: Db, tokenId: number, method: string, route: string, now: number): void {
  const s = stateOf(db);
  const key = `${tokenId}|${usageDay(now)}|${method === "HEAD" ? "GET" : method}|${route}`;
  const calls = s.pending.get(key);
  if (calls !== undefined) s.pending.set(key, calls + 1);
  else if (s.pending.size < MAX_PENDING) s.pending.set(key, 1);
  else s.droppedSince++;
  if (!s.timer) {
    s.timer = setTimeout(() => void flushTokenUsage(db), USAGE_FLUSH_INTERVAL_MS);
    s.timer.unref?.();
  }
}

interface Counter {
  tokenId: number;
  day: number;
  method: string;
  route: string;
  calls: number;
}

function parse(key: string, calls: number): Counter {
  const [tokenId, day, method, ...route] = key.split("|");
  return { tokenId: Number(tokenId), day: Number(day), method: method!, route: route.join("|"), calls };
}

/** Writes the pending counts now (the timer's job; also at shutdown and in tests). */
export async function flushTokenUsage(db: Db, now = Date.now()): Promise<void> {
  const s = stateOf(db);
  if (s.flushing) await s.flushing;
  clearTimeout(s.timer);
  s.timer = undefined;
  if (s.pending.size === 0) return;
  const batch = [...s.pending].map(([key, calls]) => parse(key, calls));
  s.pending.clear();
  s.flushing = write(db, s, batch, now).finally(() => {
    s.flushing = undefined;
  });
  return s.flushing;
}

/** Rows per upsert statement (5 variables a row; SQLite allows 32,766). */
const ROWS_PER_STATEMENT = 500;

async function write(db: Db, s: UsageState, batch: Counter[], now: number): Promise<void> {
  let i = 0;
  try {
    for (; i < batch.length; i += ROWS_PER_STATEMENT) {
      await db
        .insert(tokenUsage)
        .values(batch.slice(i, i + ROWS_PER_STATEMENT))
        .onConflictDoUpdate({
          target: [tokenUsage.tokenId, tokenUsage.day, tokenUsage.method, tokenUsage.route],
          set: { calls: sql`${tokenUsage.calls} + excluded.calls` },
        });
    }
    noteAvailable("token usage flushes");
    if (s.droppedSince > 0) {
      logWarn("token usage counts dropped: too many distinct routes between flushes", { calls: s.droppedSince });
      s.droppedSince = 0;
    }
    if (now - s.lastPrune >= PRUNE_INTERVAL_MS) {
      s.lastPrune = now;
      await db.delete(tokenUsage).where(lt(tokenUsage.day, usageDay(now) - USAGE_RETENTION_DAYS + 1));
    }
  } catch (error) {
    if (!isDatabaseUnavailable(error)) return logError("token usage flush failed", error, { rows: batch.length });
    noteUnavailable("token usage flushes", error);
    // Statements that answered are written; the rest wait (one that committed without answering would count twice).
    for (const c of batch.slice(i)) {
      const key = `${c.tokenId}|${c.day}|${c.method}|${c.route}`;
      if (s.pending.size < MAX_PENDING || s.pending.has(key)) s.pending.set(key, (s.pending.get(key) ?? 0) + c.calls);
    }
    if (!s.timer) {
      s.timer = setTimeout(() => void flushTokenUsage(db), USAGE_FLUSH_INTERVAL_MS);
      s.timer.unref?.();
    }
  }
}

export interface RouteUsage {
  method: string;
  route: string;
  calls: number;
  /** UTC day (days since the epoch) of the last call. */
  lastDay: number;
}

/**
 * A token's calls per route over the last `days` UTC days (today included):
 * what the database holds plus this process's counts not yet written.
 */
export async function readTokenUsage(db: Db, tokenId: number, days: number, now: number): Promise<RouteUsage[]> {
  const first = usageDay(now) - days + 1;
  const rows = await db
    .select({
      method: tokenUsage.method,
      route: tokenUsage.route,
      calls: sql<number>`sum(${tokenUsage.calls})`,
      lastDay: sql<number>`max(${tokenUsage.day})`,
    })
    .from(tokenUsage)
    .where(and(eq(tokenUsage.tokenId, tokenId), gte(tokenUsage.day, first)))
    .groupBy(tokenUsage.method, tokenUsage.route);
  const byRoute = new Map(rows.map((r) => [`${r.method} ${r.route}`, { ...r, calls: Number(r.calls), lastDay: Number(r.lastDay) }]));
  for (const [key, calls] of stateOf(db).pending) {
    const c = parse(key, calls);
    if (c.tokenId !== tokenId || c.day < first) continue;
    const known = byRoute.get(`${c.method} ${c.route}`);
    if (known) {
      known.calls += c.calls;
      known.lastDay = Math.max(known.lastDay, c.day);
    } else byRoute.set(`${c.method} ${c.route}`, { method: c.method, route: c.route, calls: c.calls, lastDay: c.day });
  }
  return [...byRoute.values()].sort((a, b) => b.calls - a.calls || a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
}
