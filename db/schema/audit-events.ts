import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { AUDIT_ACTIONS, AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from "./constants";

// Browser code imports these from ./constants, never from this (Drizzle) file.
export {
  AUDIT_ACTIONS,
  AUDIT_ACTOR_TYPES,
  AUDIT_OUTCOMES,
  type AuditAction,
  type AuditActorType,
  type AuditOutcome,
} from "./constants";

/**
 * Who did what to what, from where. Never a secret: actors and targets are
 * ids and names, not tokens or passwords. High-volume events (failed bearer
 * attempts, scope denials) are aggregated into one row per source and minute
 * with a `count`, keyed by `agg_key`.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Unix ms (of the first occurrence for aggregated rows). */
    at: integer("at").notNull(),
    action: text("action", { enum: AUDIT_ACTIONS }).notNull(),
    outcome: text("outcome", { enum: AUDIT_OUTCOMES }).notNull(),
    actorType: text("actor_type", { enum: AUDIT_ACTOR_TYPES }).notNull(),
    actorId: integer("actor_id"),
    actorName: text("actor_name").notNull().default(""),
    ip: text("ip").notNull().default(""),
    targetType: text("target_type").notNull().default(""),
    targetId: integer("target_id"),
    targetName: text("target_name").notNull().default(""),
    /** Small JSON object with context (scope, grace, route…); never a secret. */
    detail: text("detail").notNull().default("{}"),
    count: integer("count").notNull().default(1),
    /** Set on aggregated rows only, e.g. `bearer.failure|203.0.113.7|29553210`. */
    aggKey: text("agg_key"),
  },
  (t) => [
    // The Audit log tab filters by action (newest first = by id).
    index("audit_events_action_idx").on(t.action, t.id),
    // …and by token, as target or as actor.
    index("audit_events_target_idx").on(t.targetType, t.targetId),
    index("audit_events_actor_idx").on(t.actorType, t.actorId),
    // Aggregated rows are upserted by key.
    uniqueIndex("audit_events_agg_key_uq").on(t.aggKey),
  ],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;
