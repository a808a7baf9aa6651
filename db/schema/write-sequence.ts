import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * One row (id = 1) whose `seq` goes up in the transaction of every write the
 * panel acknowledges (lib/db/commit.ts). A panel reading from a sqld replica,
 * which lags its primary by a few milliseconds and promises no read-your-writes
 * across requests, answers only once its replica shows the new number, so its
 * next read sees what it acknowledged.
 */
export const writeSequence = sqliteTable("write_sequence", {
  id: integer("id").primaryKey(),
  seq: integer("seq").notNull().default(0),
});
