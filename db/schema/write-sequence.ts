import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * One row (id = 1) whose `seq` goes up in the transaction of every write the
 * panel acknowledges; lib/db/commit.ts waits for a lagging replica to show it.
 */
export const writeSequence = sqliteTable("write_sequence", {
  id: integer("id").primaryKey(),
  seq: integer("seq").notNull().default(0),
});
