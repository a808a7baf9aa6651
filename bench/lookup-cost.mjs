// `node bench/lookup-cost.mjs [N]`: what one bearer verification costs by
// itself, without a server, on a file with N tokens (default 100,000): the
// product's way (drizzle query builder + @libsql/client execute) against
// cheaper ways to do the same lookup. Diagnosis for issue 5: how much of a
// bearer request's extra cost is the lookup, and what a cache could save.
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/libsql";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { seedDatabase } from "./seed.mjs";
import { hashToken, hasValidChecksum, mintToken } from "./tokens.mjs";

const N = Number(process.argv[2] ?? 100_000);
const file = path.join(os.tmpdir(), `xui-lookup-${process.pid}.db`);
const known = { ...mintToken(), name: "known", scope: "admin" };
await seedDatabase(`file:${file}`, { total: N, known: [known] });

// The columns of db/schema/api-tokens.ts: drizzle needs a table object to build the product's query.
const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull(),
  prefix: text("prefix").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  scope: text("scope").notNull(),
  expiresAt: integer("expires_at").notNull(),
  createdAt: integer("created_at").notNull(),
});
// What lib/tokens/service.ts verifyBearerToken selects.
const columns = {
  id: apiTokens.id,
  name: apiTokens.name,
  scope: apiTokens.scope,
  enabled: apiTokens.enabled,
  expiresAt: apiTokens.expiresAt,
};
const LOOKUP_SQL = "SELECT id, name, scope, enabled, expires_at FROM api_tokens WHERE token_hash = ?";

const client = createClient({ url: `file:${file}` });
const db = drizzle(client);
const prepared = db.select(columns).from(apiTokens).where(eq(apiTokens.tokenHash, sql.placeholder("hash"))).prepare();
const Database = createRequire(import.meta.url)("libsql");
const native = new Database(file);
const nativeStatement = native.prepare(LOOKUP_SQL);
const inMemory = new Map([[known.hash, { id: 1, name: known.name, scope: known.scope }]]);

const cases = {
  "checksum + sha256 only": async () => {
    hasValidChecksum(known.plaintext);
    hashToken(known.plaintext);
  },
  "drizzle query builder + client.execute (the product today)": () =>
    db.select(columns).from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(known.plaintext))).get(),
  "drizzle prepared statement": () => prepared.get({ hash: hashToken(known.plaintext) }),
  "client.execute with a SQL string": () => client.execute({ sql: LOOKUP_SQL, args: [hashToken(known.plaintext)] }),
  "libsql native, statement prepared once": async () => nativeStatement.get(hashToken(known.plaintext)),
  "in-memory Map (a cache hit)": async () => inMemory.get(hashToken(known.plaintext)),
};

console.log(`one verification of a known token among ${N}, µs (median of 5 × 5,000 calls after 3,000 warm-up calls):`);
for (const [name, lookup] of Object.entries(cases)) {
  for (let i = 0; i < 3000; i++) await lookup();
  const perCall = [];
  for (let rep = 0; rep < 5; rep++) {
    const started = performance.now();
    for (let i = 0; i < 5000; i++) await lookup();
    perCall.push(((performance.now() - started) * 1000) / 5000);
  }
  perCall.sort((a, b) => a - b);
  console.log(`${perCall[2].toFixed(1).padStart(7)} µs  ${name}`);
}
client.close();
native.close();
for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
