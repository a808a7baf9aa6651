import "server-only";
import { logError, logInfo, logWarn } from "@/lib/log";
import { isDatabaseUnavailable } from "./errors";

/**
 * While the database is unreachable, every request and background write fails
 * the same way. One warning per kind of work says so (then one every
 * REPEAT_MS at most, with how many were not logged), and background work says
 * once when the database answers again.
 */
const REPEAT_MS = 30_000;

interface Outage {
  since: number;
  loggedAt: number;
  unlogged: number;
}

// Next bundles route handlers and instrumentation separately: one table per process.
const outages = ((globalThis as Record<symbol, Map<string, Outage>>)[Symbol.for("xui-panel.outages")] ??= new Map());

/** The innermost reason (`connect ECONNREFUSED …`), without Drizzle's SQL text and parameters. */
function reasonOf(error: unknown): string {
  let reason = "";
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    if (!e.message.startsWith("Failed query:")) reason = e.message.split(/\nparams:/)[0]!.slice(0, 200);
  }
  return reason;
}

export function noteUnavailable(what: string, error: unknown, now = Date.now()): void {
  const o = outages.get(what);
  if (o && now - o.loggedAt < REPEAT_MS) {
    o.unlogged++;
    return;
  }
  logWarn("database unavailable", { what, reason: reasonOf(error), ...(o ? { downMs: now - o.since, unlogged: o.unlogged } : {}) });
  outages.set(what, { since: o?.since ?? now, loggedAt: now, unlogged: 0 });
}

export function noteAvailable(what: string, now = Date.now()): void {
  const o = outages.get(what);
  if (!o) return;
  outages.delete(what);
  logInfo("database reachable again", { what, downMs: now - o.since });
}

/**
 * Runs a write nobody waits for (telemetry: last used, last seen, a reuse
 * flag). Dropped if it fails, never retried: an outage is noted once per
 * `what`, any other failure logged as `failure` with `fields`.
 */
export function writeInBackground(write: PromiseLike<unknown>, what: string, failure: string, fields: Record<string, unknown> = {}): void {
  write.then(
    () => noteAvailable(what),
    (error: unknown) => {
      if (isDatabaseUnavailable(error)) noteUnavailable(what, error);
      else logError(failure, error, fields);
    },
  );
}
