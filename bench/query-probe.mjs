// Diagnosis only (BENCH_COUNT_QUERIES=1 loads it into a panel with --import):
// counts the database work the server does, without touching product code.
//  - embedded file: every statement the libSQL client runs is prepared through
//    the `libsql` package's Database#prepare (no statement cache), so counting
//    prepares counts statements;
//  - libSQL server (sqld): every round trip is a fetch() to DATABASE_URL.
// SIGUSR2 prints `BENCH_QUERIES {"prepared":…,"remoteRequests":…}` on stderr (stdout is the request log file).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const counts = { prepared: 0, remoteRequests: 0 };

// Same resolved file as the server's own import of it, hence the same class.
const Database = createRequire(path.join(root, "package.json"))("libsql");
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function countedPrepare(...args) {
  counts.prepared++;
  return prepare.apply(this, args);
};

const databaseOrigin = /^(https?):/.test(process.env.DATABASE_URL ?? "") ? new URL(process.env.DATABASE_URL).origin : null;
if (databaseOrigin) {
  const originalFetch = globalThis.fetch;
  globalThis.fetch = function countedFetch(input, init) {
    const url = typeof input === "string" ? input : (input?.url ?? String(input));
    if (url.startsWith(databaseOrigin)) counts.remoteRequests++;
    return originalFetch(input, init);
  };
}

process.on("SIGUSR2", () => process.stderr.write(`BENCH_QUERIES ${JSON.stringify(counts)}\n`));
