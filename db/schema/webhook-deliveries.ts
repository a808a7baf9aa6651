import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { DELIVERY_STATES } from "./constants";

export { DELIVERY_STATES, type DeliveryState } from "./constants";

/**
 * One event for one webhook, with its attempts so far (lib/webhooks/deliver.ts).
 * Instances claim due rows with one conditional UPDATE, so each attempt is made
 * by exactly one of them. The payload holds no secret: it is the audit row's
 * ids, names and detail.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: integer("webhook_id").notNull(),
    /** The audit row it announces; null for a test delivery. */
    eventId: integer("event_id"),
    event: text("event").notNull(),
    /** The JSON body sent, byte for byte on every attempt. */
    payload: text("payload").notNull(),
    state: text("state", { enum: DELIVERY_STATES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** Unix ms: when the next attempt is due (pending) */
    nextAttemptAt: integer("next_attempt_at").notNull(),
    /** Unix ms until which an instance holds the attempt in flight. */
    claimedUntil: integer("claimed_until").notNull().default(0),
    /** The last attempt's HTTP status; 0 = no answer. */
    lastStatus: integer("last_status").notNull().default(0),
    /** The last attempt's failure in words; "" after a success. */
    lastError: text("last_error").notNull().default(""),
    lastAttemptAt: integer("last_attempt_at").notNull().default(0),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    // The fan-out inserts each (webhook, event) once, whichever instance gets there first.
    uniqueIndex("webhook_deliveries_event_uq").on(t.webhookId, t.eventId),
    // The sender's claim: pending rows by due time.
    index("webhook_deliveries_due_idx").on(t.state, t.nextAttemptAt),
    // The prune of finished deliveries past retention.
    index("webhook_deliveries_finished_idx").on(t.state, t.createdAt),
    // The delivery log of one webhook, newest first.
    index("webhook_deliveries_webhook_idx").on(t.webhookId, t.id),
  ],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
