import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * One row (id = 1): the last audit event the webhook fan-out has turned into
 * deliveries (lib/webhooks/fan-out.ts). The audit log is the outbox: every
 * change is audited in its own transaction, so no event can be missed.
 */
export const webhookCursor = sqliteTable("webhook_cursor", {
  id: integer("id").primaryKey(),
  lastEventId: integer("last_event_id").notNull().default(0),
});
