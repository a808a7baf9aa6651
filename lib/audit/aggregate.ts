import "server-only";
import { lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditEvents, type AuditAction, type AuditOutcome } from "@/db/schema/audit-events";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { noteAvailable, noteUnavailable } from "@/lib/db/outage";
import { logError, logWarn } from "@/lib/log";
import type { AuditActor } from "./context";

/**
 * High-volume security events (failed bearer attempts, scope denials) are
 * counted in memory and written as one row per source and minute, upserted by
 * `agg_key` every few seconds: a flood of bad requests costs a few writes a
 * minute, not one per request. A crash loses at most one flush interval of
 * these counts (never a change: changes are audited in their own transaction).
 * While the database is unreachable, counts that failed to flush go back into
 * the pending set (still bounded by MAX_PENDING) and are retried on the next
 * interval; other write failures drop them, with the error logged.
 */
const FLUSH_INTERVAL_MS = 2_000;
const MINUTE_MS = 60_000;
const MAX_PENDING = 10_000;

interface Pending {
  key: string;
  at: number;
  action: AuditAction;
  outcome: AuditOutcome;
  actor: AuditActor;
  ip: string;
  target: { type: string; id: number | null; name: string };
  detail: string;
  count: number;
}

interface AggregatorState {
  pending: Map<string, Pending>;
  /** Counts the database holds for keys of this minute, after our last flush (all instances). */
  flushed: Map<string, number>;
  timer?: ReturnType<typeof setTimeout>;
  flushing?: Promise<void>;
  retention: number;
  lastPrune: number;
}

/**
 * On globalThis (as the database handle is, db/index.ts): requests count into
 * it, and the start-up module, a bundle of its own, flushes it at shutdown.
 */
const states: WeakMap<Db, AggregatorState> = ((globalThis as Record<symbol, WeakMap<Db, AggregatorState>>)[
  Symbol.for("xui-panel.audit-aggregate")
] ??= new WeakMap());

function stateOf(db: Db): AggregatorState {
  let s = states.get(db);
  if (!s) {
    s = { pending: new Map(), flushed: new Map(), retention: 100_000, lastPrune: 0 };
    states.set(db, s);
  }
  return s;
}

export function minuteBucket(now: number): number {
  return Math.floor(now / MINUTE_MS);
}

export interface AggregatedEvent {
  /** Groups occurrences into one row; include the minute bucket. */
  key: string;
  action: AuditAction;
  outcome: AuditOutcome;
  actor: AuditActor;
  ip: string;
  target?: { type: string; id?: number | null; name?: string };
  detail?: Record<string, unknown>;
}

/** Counts one occurrence; returns how many this key has seen in total so far (all instances, as far as known). */
export function noteAggregated(db: Db, event: AggregatedEvent, now: number): number {
  const s = stateOf(db);
  let p = s.pending.get(event.key);
  if (!p) {
    if (s.pending.size >= MAX_PENDING) return s.flushed.get(event.key) ?? 0; // overloaded: count nothing new
    p = {
      key: event.key,
      at: now,
      action: event.action,
      outcome: event.outcome,
      actor: event.actor,
      ip: event.ip,
      target: { type: event.target?.type ?? "", id: event.target?.id ?? null, name: event.target?.name ?? "" },
      detail: JSON.stringify(event.detail ?? {}),
      count: 0,
    };
    s.pending.set(event.key, p);
  }
  p.count++;
  scheduleFlush(db, s);
  return (s.flushed.get(event.key) ?? 0) + p.count;
}

function scheduleFlush(db: Db, s: AggregatorState): void {
  if (s.timer) return;
  s.timer = setTimeout(() => void flushAggregated(db), FLUSH_INTERVAL_MS);
  s.timer.unref?.();
}

/** Puts counts that could not be written back, merged with newer ones; returns how many rows did not fit. */
function requeue(s: AggregatorState, failed: Pending[]): number {
  let dropped = 0;
  for (const p of failed) {
    const newer = s.pending.get(p.key);
    if (newer) newer.count += p.count;
    else if (s.pending.size < MAX_PENDING) s.pending.set(p.key, p);
    else dropped++;
  }
  return dropped;
}

/** Writes pending counts now (also called by the timer). */
export async function flushAggregated(db: Db, now = Date.now()): Promise<void> {
  const s = stateOf(db);
  if (s.flushing) return s.flushing;
  clearTimeout(s.timer);
  s.timer = undefined;
  const batch = [...s.pending.values()];
  s.pending.clear();
  if (batch.length === 0) return;
  s.flushing = (async () => {
    try {
      const results = await Promise.allSettled(
        batch.map((p) =>
          db
            .insert(auditEvents)
            .values({
              at: p.at,
              action: p.action,
              outcome: p.outcome,
              actorType: p.actor.type,
              actorId: p.actor.id,
              actorName: p.actor.name,
              ip: p.ip,
              targetType: p.target.type,
              targetId: p.target.id,
              targetName: p.target.name,
              detail: p.detail,
              count: p.count,
              aggKey: p.key,
            })
            .onConflictDoUpdate({ target: auditEvents.aggKey, set: { count: sql`${auditEvents.count} + excluded.count` } })
            .returning({ key: auditEvents.aggKey, count: auditEvents.count }),
        ),
      );
      const bucket = minuteBucket(now);
      for (const [key] of s.flushed) if (!key.endsWith(`|${bucket}`)) s.flushed.delete(key);
      const failed: Pending[] = [];
      let failure: unknown;
      results.forEach((result, i) => {
        if (result.status === "rejected") {
          failed.push(batch[i]!);
          failure ??= result.reason;
        } else if (result.value[0]?.key) s.flushed.set(result.value[0].key, result.value[0].count);
      });
      if (failed.length === 0) {
        noteAvailable("audit count flushes");
        await pruneAudit(db, s, now);
      } else if (isDatabaseUnavailable(failure)) {
        const dropped = requeue(s, failed);
        noteUnavailable("audit count flushes", failure);
        if (dropped > 0) logWarn("audit counts dropped: too many pending while the database is unavailable", { rows: dropped });
        scheduleFlush(db, s);
      } else {
        logError("audit flush failed", failure, { rows: failed.length });
      }
    } catch (error) {
      logError("audit flush failed", error);
    } finally {
      s.flushing = undefined;
    }
  })();
  return s.flushing;
}

/** Keep only the newest `keep` rows; checked at most once a minute. */
async function pruneAudit(db: Db, s: AggregatorState, now: number): Promise<void> {
  if (now - s.lastPrune < MINUTE_MS) return;
  s.lastPrune = now;
  await enforceAuditRetention(db, s.retention);
}

export async function enforceAuditRetention(db: Db, keep: number): Promise<void> {
  const cutoff = await db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .orderBy(sql`${auditEvents.id} DESC`)
    .limit(1)
    .offset(keep - 1)
    .get();
  if (cutoff) await db.delete(auditEvents).where(lt(auditEvents.id, cutoff.id));
}

export function setAuditRetention(db: Db, keep: number): void {
  stateOf(db).retention = keep;
}
