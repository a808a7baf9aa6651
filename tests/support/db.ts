import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

export interface TestDb extends DatabaseHandle {
  /** SQL statements run so far (drizzle-built ones), for "how many queries" assertions. */
  queries: string[];
  /** …and the same with their parameters (to EXPLAIN one as it ran). */
  statements: { sql: string; params: unknown[] }[];
  url: string;
  cleanup(): void;
}

/**
 * A real libSQL database with the committed migrations applied: a fresh temp
 * file (so the connection pool, WAL and locking are the production ones), or
 * `:memory:` when asked.
 */
export async function openTestDb(kind: "file" | "memory" = "file"): Promise<TestDb> {
  const dir = kind === "file" ? mkdtempSync(path.join(os.tmpdir(), "xui-unit-")) : undefined;
  const url = dir ? `file:${path.join(dir, "test.db")}` : ":memory:";
  const queries: string[] = [];
  const statements: TestDb["statements"] = [];
  const logQuery = (query: string, params: unknown[]) => {
    queries.push(query);
    statements.push({ sql: query, params });
  };
  const handle = openDatabase(url, undefined, { logger: { logQuery } });
  await migrateDatabase(handle, path.resolve(__dirname, "..", "..", "db", "migrations"));
  queries.length = 0;
  statements.length = 0;
  return {
    ...handle,
    queries,
    statements,
    url,
    cleanup() {
      handle.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
