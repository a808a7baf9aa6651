// Creates a benchmark database: the panel's own migrations, then N api_tokens
// rows written straight into libSQL (the API would take minutes for 100,000).
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mintToken } from "./tokens.mjs";
import { ROOT } from "./procs.mjs";

/** 500 rows × 5 values stays far below SQLite's 32,766 bound variables per statement. */
const ROWS_PER_INSERT = 500;
/** Statements per batch over HTTP (sqld): keeps each request a few MB. */
const INSERTS_PER_REMOTE_BATCH = 20;
// name_key as the panel writes it (lib/display-name.ts nameKey): these names are plain ASCII, so lower case.
const COLUMNS = "(name, name_key, token_hash, prefix, scope, created_at)";

/**
 * Migrates the database at `url` and fills api_tokens with `total` rows: the
 * `known` tokens first (ids 1, 2, …, their plaintexts kept by the caller), then
 * minted fillers whose plaintexts are thrown away. Returns the seconds spent.
 */
export async function seedDatabase(url, { total, known }) {
  const started = performance.now();
  const client = createClient({ url });
  try {
    if (url.startsWith("file:")) await client.execute("PRAGMA journal_mode = WAL");
    // The server runs the same migrations at start and finds nothing left to do.
    await migrate(drizzle(client), { migrationsFolder: path.join(ROOT, "db", "migrations") });

    const createdAt = Math.floor(Date.now() / 1000);
    const rows = known.map((t) => [t.name, t.name.toLowerCase(), t.hash, t.prefix, t.scope, createdAt]);
    for (let i = rows.length; i < total; i++) {
      const t = mintToken();
      const name = `bench-filler-${String(i).padStart(6, "0")}`;
      rows.push([name, name, t.hash, t.prefix, "monitor", createdAt]);
    }
    const statements = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      statements.push({
        sql: `INSERT INTO api_tokens ${COLUMNS} VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}`,
        args: chunk.flat(),
      });
    }
    // One transaction for a file; a few for a server, whose requests should stay small.
    const perBatch = url.startsWith("file:") ? statements.length : INSERTS_PER_REMOTE_BATCH;
    for (let i = 0; i < statements.length; i += perBatch) {
      await client.batch(statements.slice(i, i + perBatch), "write");
    }
    const { rows: count } = await client.execute("SELECT count(*) AS n FROM api_tokens");
    if (Number(count[0].n) !== total) throw new Error(`seeded ${count[0].n} tokens, expected ${total}`);
  } finally {
    client.close();
  }
  return (performance.now() - started) / 1000;
}
