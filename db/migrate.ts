import "server-only";
import path from "node:path";
import { migrate } from "drizzle-orm/libsql/migrator";
import { prepareEmbeddedDatabase, type DatabaseHandle } from "./client";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/**
 * Brings the schema up to date. Several instances may start at once against
 * one database; the loser of that race fails on "table already exists" after
 * the winner committed, so it re-reads the journal and finds nothing to do.
 */
export async function migrateDatabase(handle: DatabaseHandle, folder = MIGRATIONS_FOLDER): Promise<void> {
  await prepareEmbeddedDatabase(handle);
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(handle.db, { migrationsFolder: folder });
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
