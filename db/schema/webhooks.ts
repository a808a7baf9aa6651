import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Outgoing webhooks (Settings → Security → Webhooks; lib/webhooks/). The
 * signing secret is kept encrypted under the panel key (lib/crypto/panel-key.ts),
 * since the panel must sign with it; it is shown once, when made.
 */
export const webhooks = sqliteTable("webhooks", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  url: text("url").notNull(),
  /** AES-256-GCM box of the HMAC secret (`v1.<iv>.<ciphertext>.<tag>`). */
  secretBox: text("secret_box").notNull(),
  /** JSON array of event names (lib/webhooks/events.ts). */
  events: text("events").notNull().default("[]"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  /** Only audit events after this id reach the webhook: none from before it existed. */
  fromEventId: integer("from_event_id").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type WebhookRow = typeof webhooks.$inferSelect;
