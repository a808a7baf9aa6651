import { integer, primaryKey, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * Which expiry warnings were given (lib/webhooks/expiry-check.ts): one row per
 * token, expiry and threshold, so each is audited `token.expiring` once, on
 * whichever instance runs the check first. A new expiry (a rotation) warns again.
 */
export const tokenExpiryNotices = sqliteTable(
  "token_expiry_notices",
  {
    tokenId: integer("token_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** 7 or 1: days before expiry. */
    withinDays: integer("within_days").notNull(),
  },
  (t) => [primaryKey({ name: "token_expiry_notices_pk", columns: [t.tokenId, t.expiresAt, t.withinDays] })],
);
