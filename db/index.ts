import "server-only";
import { openDatabase, type DatabaseHandle, type Db } from "./client";
import { migrateDatabase } from "./migrate";
import { databaseSettings } from "./settings";

export type { Db } from "./client";
export { openDatabase } from "./client";
export { migrateDatabase } from "./migrate";

interface DbGlobal {
  handle?: DatabaseHandle;
  ready?: Promise<DatabaseHandle>;
}

// Next bundles route handlers, pages and instrumentation separately, so a
// module-level singleton would exist once per bundle. One process-wide handle
// keeps one connection pool (and one place to close it).
const store = ((globalThis as Record<symbol, DbGlobal>)[Symbol.for("xui-panel.db")] ??= {});

/** Opens and migrates the database in DATABASE_URL (db/settings.ts) once per process. */
export function initDatabase(): Promise<DatabaseHandle> {
  store.ready ??= (async () => {
    const { url, authToken } = databaseSettings();
    const handle = openDatabase(url, authToken);
    await migrateDatabase(handle);
    store.handle = handle;
    return handle;
  })();
  return store.ready;
}

/** The opened database, or undefined before initDatabase() has finished (saves an await per request). */
export function readyDatabase(): DatabaseHandle | undefined {
  return store.handle;
}

/**
 * The process's database. Instrumentation opens it before the first request is
 * served, so request code can use it synchronously.
 */
export function getDb(): Db {
  if (!store.handle) throw new Error("database used before initDatabase() finished");
  return store.handle.db;
}

export function closeDatabase(): void {
  store.handle?.close();
  store.handle = undefined;
  store.ready = undefined;
}
