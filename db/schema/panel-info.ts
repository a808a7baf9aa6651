import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row (id = 1) describing this panel's database: `guid` is made once, at
 * the first start on it, and reported as `panelGuid` by the server status, so
 * every instance sharing the database reports the same panel.
 */
export const panelInfo = sqliteTable("panel_info", {
  id: integer("id").primaryKey(),
  guid: text("guid").notNull(),
});
