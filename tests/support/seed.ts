import { createHash } from "node:crypto";
import { openDirect } from "./direct-db";

/** 500 rows × 4 values per INSERT stays far below SQLite's bound-variable limit. */
const ROWS_PER_INSERT = 500;
/** Statements per request to a libSQL server (keeps each a few MB). */
const INSERTS_PER_REMOTE_BATCH = 20;

/**
 * Writes `total` filler tokens straight into a (migrated) database, as
 * bench/seed.mjs does: through the API 100,000 creates would take minutes.
 * Names `seed-000001`…, unique hashes, nobody holds their plaintexts.
 */
export async function seedFillerTokens(databaseUrl: string, total: number): Promise<void> {
  const client = openDirect(databaseUrl);
  try {
    const createdAt = Math.floor(Date.now() / 1000);
    const statements = [];
    for (let start = 0; start < total; start += ROWS_PER_INSERT) {
      const n = Math.min(ROWS_PER_INSERT, total - start);
      const args = [];
      for (let i = start; i < start + n; i++) {
        args.push(`seed-${String(i + 1).padStart(6, "0")}`, createHash("sha256").update(`seed ${i}`).digest("hex"), "xui_Seed", createdAt);
      }
      statements.push({
        sql: `INSERT INTO api_tokens (name, token_hash, prefix, created_at) VALUES ${Array(n).fill("(?, ?, ?, ?)").join(", ")}`,
        args,
      });
    }
    const perBatch = databaseUrl.startsWith("file:") ? statements.length : INSERTS_PER_REMOTE_BATCH;
    for (let i = 0; i < statements.length; i += perBatch) await client.batch(statements.slice(i, i + perBatch), "write");
  } finally {
    client.close();
  }
}
