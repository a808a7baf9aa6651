import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Fixed-window counters for throttling (failed logins today). They live in the
 * database rather than in memory so several panel instances behind a load
 * balancer share one budget.
 */
export const rateLimits = sqliteTable(
  "rate_limits",
  {
    /** e.g. `login:ip:203.0.113.7` or `login:user:203.0.113.7:<sha256 of the lowercased username>`. */
    key: text("key").primaryKey(),
    /** Unix ms when the current window started. */
    windowStart: integer("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [
    // Purge of stale windows.
    index("rate_limits_window_start_idx").on(t.windowStart),
  ],
);
