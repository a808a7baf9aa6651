// `node bench/lookup-cost.mjs [N]`: what one bearer verification costs by
// itself, without a server, on a file with N tokens (default 100,000): the
// product's way (drizzle query builder + @libsql/client execute) against
// cheaper ways to do the same lookup. Diagnosis for issue 5: it shows how much
// of a bearer request's extra cost is the lookup and what a cache could save.
// The table below restates the columns of db/schema/api-tokens.ts that the
// lookup reads; drizzle needs a table object to build the same query.
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { eq, sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { seedDatabase } from "./seed.mjs";
import { mintToken, hashToken, hasValidChecksum } from "./tokens.mjs";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
const N = Number(process.argv[2] ?? 100000);
const file = path.join(os.tmpdir(), `xui-lookup-${process.pid}.db`);
const known = { ...mintToken(), name: "k", scope: "admin" };
await seedDatabase(`file:${file}`, { total: N, known: [known] });
const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey({ autoIncrement: true }), name: text("name").notNull(), tokenHash: text("token_hash").notNull(),
  prefix: text("prefix").notNull(), enabled: integer("enabled", { mode: "boolean" }).notNull(), scope: text("scope").notNull(),
  expiresAt: integer("expires_at").notNull(), createdAt: integer("created_at").notNull(),
});
const client = createClient({ url: `file:${file}` });
const db = drizzle(client);
const cols = { id: apiTokens.id, name: apiTokens.name, scope: apiTokens.scope, enabled: apiTokens.enabled, expiresAt: apiTokens.expiresAt };
const prepared = db.select(cols).from(apiTokens).where(eq(apiTokens.tokenHash, sql.placeholder("h"))).prepare();
const Database = createRequire(import.meta.url)("libsql");
const raw = new Database(file);
const stmt = raw.prepare("select id, name, scope, enabled, expires_at from api_tokens where token_hash = ?");
const cases = {
  "checksum + sha256 only": async () => { hasValidChecksum(known.plaintext); hashToken(known.plaintext); },
  "drizzle builder + client.execute (as the product)": async () => db.select(cols).from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(known.plaintext))).get(),
  "drizzle prepared statement": async () => prepared.get({ h: hashToken(known.plaintext) }),
  "client.execute raw SQL": async () => client.execute({ sql: "select id, name, scope, enabled, expires_at from api_tokens where token_hash = ?", args: [hashToken(known.plaintext)] }),
  "libsql native, statement cached": async () => stmt.get(hashToken(known.plaintext)),
  "Map lookup (in-memory cache)": (() => { const m = new Map([[known.hash, { id: 1 }]]); return async () => m.get(hashToken(known.plaintext)); })(),
};
console.log(`one verification of a known token among ${N}, µs (median of 5 × 5,000 after 3,000 warm-up calls):`);
for (const [name, fn] of Object.entries(cases)) {
  for (let i = 0; i < 3000; i++) await fn();
  const medians = [];
  for (let rep = 0; rep < 5; rep++) {
    const started = performance.now();
    for (let i = 0; i < 5000; i++) await fn();
    medians.push(((performance.now() - started) * 1000) / 5000);
  }
  medians.sort((a, b) => a - b);
  console.log(`${medians[2].toFixed(1).padStart(7)} µs  ${name}`);
}
client.close(); raw.close();
for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
