import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * One row (id = 1) whose `generation` goes up with every change that affects
 * token verification (create, update, rotate, enable/disable, delete, leak
 * revocation), in the same transaction as the change. Each panel process caches
 * verified tokens and polls this number to know when its cache is stale, which
 * is how a token disabled on one instance stops working on all of them.
 */
export const tokenState = sqliteTable("token_state", {
  id: integer("id").primaryKey(),
  generation: integer("generation").notNull().default(0),
});
