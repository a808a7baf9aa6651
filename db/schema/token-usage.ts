import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Calls per token, route and UTC day (lib/tokens/usage.ts): counted in memory
 * and added here at most once a minute per instance, for "least privilege from
 * observed use". Rows older than 90 days are pruned. No foreign key: token ids
 * are never reused (AUTOINCREMENT), so a deleted token's rows only wait for the prune.
 */
export const tokenUsage = sqliteTable(
  "token_usage",
  {
    tokenId: integer("token_id").notNull(),
    /** Days since the Unix epoch, UTC. */
    day: integer("day").notNull(),
    method: text("method").notNull(),
    /** The catalog's route pattern, e.g. `/panel/api/setting/apiTokens/update/{id}`. */
    route: text("route").notNull(),
    calls: integer("calls").notNull().default(0),
  },
  (t) => [
    // The flush's upsert and the report's range read (one token, recent days).
    primaryKey({ name: "token_usage_pk", columns: [t.tokenId, t.day, t.method, t.route] }),
    // The hourly prune of days past retention.
    index("token_usage_day_idx").on(t.day),
  ],
);
