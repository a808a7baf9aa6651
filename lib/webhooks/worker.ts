import "server-only";
import { and, inArray, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries } from "@/db/schema/webhook-deliveries";
import { webhooks } from "@/db/schema/webhooks";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { noteAvailable, noteUnavailable } from "@/lib/db/outage";
import { logError } from "@/lib/log";
import { deliverDue, type DeliveryOptions } from "./deliver";
import { pruneExpiryNotices, warnExpiringTokens } from "./expiry-check";
import { fanOut } from "./fan-out";

/**
 * The background side of webhooks, on every instance: each second, queue the
 * deliveries of new audit rows and send what is due; each minute, the expiry
 * check (a read, and a write only when a warning is due); each hour, the prune
 * of old delivery logs and expiry notices. Instances share the work through
 * the database (fan-out.ts, deliver.ts), so any number may run.
 */

const TICK_MS = 1_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Delivered and failed deliveries are kept this long on the page. */
export const DELIVERY_RETENTION_MS = 30 * 86_400_000;

interface WorkerState {
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  nextCheck: number;
  nextPrune: number;
}
// On globalThis: one worker per process, whichever bundle starts it.
const state: WorkerState = ((globalThis as Record<symbol, WorkerState>)[Symbol.for("xui-panel.webhooks")] ??= { nextCheck: 0, nextPrune: 0 });

const WHAT = "webhooks";

/** One round of everything due; exported for tests. */
export async function webhookTick(db: Db, panel: string, options: DeliveryOptions, now = Date.now()): Promise<void> {
  if (now >= state.nextCheck) {
    state.nextCheck = now + MINUTE_MS;
    await warnExpiringTokens(db, now);
  }
  if (now >= state.nextPrune) {
    state.nextPrune = now + HOUR_MS;
    await pruneExpiryNotices(db, now);
    await db
      .delete(webhookDeliveries)
      .where(and(inArray(webhookDeliveries.state, ["delivered", "failed"]), lt(webhookDeliveries.createdAt, now - DELIVERY_RETENTION_MS)));
  }
  // An idle panel (no webhooks) pays one small read a second.
  if (!(await db.select({ id: webhooks.id }).from(webhooks).limit(1).get())) return;
  await fanOut(db, panel, now);
  await deliverDue(db, options, now);
}

async function tick(db: Db, panel: string, options: DeliveryOptions): Promise<void> {
  try {
    await webhookTick(db, panel, options);
    noteAvailable(WHAT);
  } catch (error) {
    if (isDatabaseUnavailable(error)) noteUnavailable(WHAT, error);
    else logError("webhook work failed", error);
  }
}

export function startWebhookWorker(db: Db, panel: string, options: DeliveryOptions): void {
  if (state.timer) return;
  state.timer = setInterval(() => {
    state.running ??= tick(db, panel, options).finally(() => (state.running = undefined));
  }, TICK_MS);
  state.timer.unref?.();
}

/** Stops the timer. A send cut short by the exit is tried again once its claim lapses (deliver.ts). */
export function stopWebhookWorker(): void {
  clearInterval(state.timer);
  state.timer = undefined;
}
