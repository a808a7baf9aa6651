import "server-only";
import { and, count, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import ipaddr from "ipaddr.js";
import type { Db } from "@/db/client";
import { commit } from "@/lib/db/commit";
import { logWarn } from "@/lib/log";
import { auditEvents, type AuditEventRow } from "@/db/schema/audit-events";
import { webhookCursor } from "@/db/schema/webhook-cursor";
import { webhookDeliveries } from "@/db/schema/webhook-deliveries";
import { webhooks } from "@/db/schema/webhooks";
import { EVENT_ACTIONS, WEBHOOK_EVENTS, type WebhookEvent } from "./events";
import { eventPayload } from "./payload";

/**
 * Turns audit rows into deliveries. The audit log is the outbox: every change
 * the panel makes writes its audit row in its own transaction, so an event is
 * queued exactly when it happened, whoever wrote it (a request, the CLI, a
 * background job, another instance). A cursor row remembers how far this has
 * got; deliveries are unique per (webhook, event), so two instances passing
 * over the same rows queue each delivery once.
 */

/** Audit rows read per pass. */
const BATCH = 200;
const ACTIONS = [...new Set(Object.values(EVENT_ACTIONS))];
const EVENTS_OF = new Map<string, WebhookEvent[]>();
for (const event of WEBHOOK_EVENTS) EVENTS_OF.set(EVENT_ACTIONS[event], [...(EVENTS_OF.get(EVENT_ACTIONS[event]) ?? []), event]);

/**
 * What "the same address" means for sign-ins: an IPv4 address itself, and an
 * IPv6 address's /64 network, within which a device's privacy addresses
 * (RFC 8981) change daily. Anything else (`unknown`) stands for itself.
 */
function signInNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === "ipv4") return address.toString();
  const prefix = ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`);
  return `${prefix.toString()}/64`;
}

/**
 * Whether this successful sign-in came from a network (signInNetwork) that admin has
 * not signed in from before, within the audit log's retention.
 */
async function isNewAddress(db: Db, row: AuditEventRow): Promise<boolean> {
  if (row.outcome !== "success" || row.targetType !== "admin" || row.targetId === null) return false;
  const earlier = await db
    .selectDistinct({ ip: auditEvents.ip })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, "login.success"),
        eq(auditEvents.targetType, "admin"),
        eq(auditEvents.targetId, row.targetId),
        lt(auditEvents.id, row.id),
      ),
    );
  const network = signInNetwork(row.ip);
  return !earlier.some((e) => signInNetwork(e.ip) === network);
}

/** The events a row announces to these webhooks (the new-address look-up only when one of them wants it). */
async function eventsOf(db: Db, row: AuditEventRow, wanted: Set<string>): Promise<WebhookEvent[]> {
  const events = (EVENTS_OF.get(row.action) ?? []).filter((e) => wanted.has(e));
  if (!events.includes("login.new_address")) return events;
  return (await isNewAddress(db, row)) ? events : events.filter((e) => e !== "login.new_address");
}

async function enabledWebhooks(db: Db) {
  return (await db.select().from(webhooks).where(eq(webhooks.enabled, true))).map((h) => ({ ...h, events: new Set(JSON.parse(h.events) as string[]) }));
}

/** Pending deliveries per webhook, beyond which new events are dropped for it (a receiver down for days, a canary flood). */
export const MAX_PENDING = 1_000;

/** One pass: queues deliveries for up to BATCH new audit rows; returns how many deliveries it queued. */
export async function fanOut(db: Db, panel: string, now = Date.now()): Promise<number> {
  const known = await enabledWebhooks(db);
  if (known.length === 0) return 0;
  const cursor = (await db.select().from(webhookCursor).where(eq(webhookCursor.id, 1)).get())?.lastEventId ?? 0;
  // No webhook hears what happened before it was made (or turned back on): start at the oldest one's start.
  const from = Math.max(cursor, Math.min(...known.map((h) => h.fromEventId)));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(gt(auditEvents.id, from), inArray(auditEvents.action, ACTIONS)))
    .orderBy(auditEvents.id)
    .limit(BATCH);
  if (rows.length === 0) {
    if (from > cursor) await advanceStatement(db, from);
    return 0;
  }
  // Read again after the rows: a webhook made meanwhile starts after rows it has not been read with (its
  // start is set in its own transaction), so none of these is lost for it.
  const hooks = await enabledWebhooks(db);
  const wanted = new Set(hooks.flatMap((h) => [...h.events]));
  const pending = new Map(
    (
      await db
        .select({ webhookId: webhookDeliveries.webhookId, n: count() })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.state, "pending"))
        .groupBy(webhookDeliveries.webhookId)
    ).map((r) => [r.webhookId, r.n]),
  );
  const inserts: BatchItem<"sqlite">[] = [];
  let dropped = 0;
  for (const row of rows) {
    for (const event of await eventsOf(db, row, wanted)) {
      for (const hook of hooks) {
        if (row.id <= hook.fromEventId || !hook.events.has(event)) continue;
        const queued = pending.get(hook.id) ?? 0;
        if (queued >= MAX_PENDING) {
          dropped++;
          continue;
        }
        pending.set(hook.id, queued + 1);
        inserts.push(
          db
            .insert(webhookDeliveries)
            .values({ webhookId: hook.id, eventId: row.id, event, payload: eventPayload(event, row, panel), nextAttemptAt: now, createdAt: now })
            .onConflictDoNothing(),
        );
      }
    }
  }
  if (dropped > 0) logWarn(`webhook events dropped: a webhook has ${MAX_PENDING} deliveries waiting`, { dropped });
  // On a replica, the next pass then reads the cursor it wrote.
  await commit(db, [...inserts, advanceStatement(db, rows.at(-1)!.id)]);
  return inserts.length;
}

/** The cursor only moves forward, whichever instance writes last. */
function advanceStatement(db: Db, to: number) {
  return db
    .insert(webhookCursor)
    .values({ id: 1, lastEventId: to })
    .onConflictDoUpdate({ target: webhookCursor.id, set: { lastEventId: sql`max(${webhookCursor.lastEventId}, excluded.last_event_id)` } });
}
