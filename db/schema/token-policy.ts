import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * The token policy (Settings → Security → Policies): one row, id = 1, absent
 * until an admin first saves it (lib/tokens/policy.ts reads absence as "no
 * rules"). Read by every token create, edit and rotation, never by bearer
 * verification.
 */
export const tokenPolicy = sqliteTable("token_policy", {
  id: integer("id").primaryKey(),
  /** The longest a new or rotated token may live, in days; 0 = no cap (an expiry is optional). */
  maxLifetimeDays: integer("max_lifetime_days").notNull().default(0),
  /** The expiry given to a new token created without one, in days; 0 = never. */
  defaultExpiryDays: integer("default_expiry_days").notNull().default(0),
  /** Admin-scope tokens must carry an IP allowlist. */
  adminRequiresAllowlist: integer("admin_requires_allowlist", { mode: "boolean" }).notNull().default(false),
  /** A rotated-out secret presented after its grace period also disables its token. */
  disableOnReuse: integer("disable_on_reuse", { mode: "boolean" }).notNull().default(false),
  /** Unix ms of the last change; 0 = never saved. Also the optimistic lock of a save. */
  updatedAt: integer("updated_at").notNull().default(0),
});

export type TokenPolicyRow = typeof tokenPolicy.$inferSelect;
