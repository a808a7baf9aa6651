// `node bench/ab.mjs <other checkout>`: a paired A/B of two builds of the panel, for an
// optimisation that has to show it beats the noise. A is the other checkout (built there with
// `npm run build`, its node_modules installed), B this one. Both panels run side by side on
// databases seeded alike; load runs alternate A B A B … A on the same request, and each B run is
// compared with the mean of its two A neighbours (bench/paired.mjs).
//
//   node bench/ab.mjs ../before [--scenario session|bearer|healthz] [--pairs 50] [--duration 1]
//
// Prints the median of B ÷ A over the pairs (req/s and server CPU per request), the middle half,
// and in how many pairs B was faster.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadRun } from "./load.mjs";
import { pairedRatios, showRatios } from "./paired.mjs";
import { bearer, signIn, STATUS_PATH } from "./panel-client.mjs";
import * as here from "./procs.mjs";
import { seedDatabase } from "./seed.mjs";
import { mintToken } from "./tokens.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenario: { type: "string", default: "session" },
    pairs: { type: "string", default: "50" },
    duration: { type: "string", default: "1" },
  },
});
if (positionals.length !== 1) throw new Error("usage: node bench/ab.mjs <other checkout> [--scenario session|bearer|healthz] [--pairs 50]");
const otherRoot = path.resolve(positionals[0]);
const pairs = Number(args.pairs);
const durationS = Number(args.duration);
const log = (msg) => console.error(`[ab] ${msg}`);

const targets = {
  session: (server) => ({ url: server.baseUrl, path: STATUS_PATH, headers: { Cookie: server.cookie }, expect: 200 }),
  bearer: (server, token) => ({ url: server.baseUrl, path: STATUS_PATH, headers: bearer(token.plaintext), expect: 200 }),
  healthz: (server) => ({ url: server.baseUrl, path: "/healthz", expect: 200 }),
};
const targetOf = targets[args.scenario];
if (!targetOf) throw new Error(`--scenario: one of ${Object.keys(targets).join(", ")}`);

const there = await import(path.join(otherRoot, "bench", "procs.mjs"));
there.ensureBuild(log);
here.ensureBuild(log);
const tmp = mkdtempSync(path.join(os.tmpdir(), "xui-ab-"));
const admin = { username: "bench-admin", password: randomBytes(18).toString("base64url") };
const token = { ...mintToken(), name: "bench-admin", scope: "admin" };
const panels = [];
try {
  for (const [name, procs] of [["A", there], ["B", here]]) {
    const databaseUrl = `file:${path.join(tmp, `${name}.db`)}`;
    await seedDatabase(databaseUrl, { total: 1, known: [token] });
    const server = await procs.startPanel(`ab-${name}`, { databaseUrl, admin });
    panels.push(server);
    server.cookie = await signIn(server.baseUrl, admin);
  }
  const [a, b] = panels.map((server) => ({ server, target: targetOf(server, token) }));
  const run = ({ server, target }) => loadRun(target, { connections: 10, durationS, warmupS: 0, serverPid: server.pid });
  // Warm-up: both builds JIT-compile the path before anything counts.
  for (let i = 0; i < 3; i++) {
    await run(a);
    await run(b);
  }
  const { B } = await pairedRatios(() => run(a), { B: () => run(b) }, pairs);
  console.log(`${args.scenario}, B (${here.ROOT}) ÷ A (${otherRoot}), ${pairs} pairs of ${durationS} s runs:`);
  console.log(`  req/s: ${showRatios(B.rps)}; B faster in ${B.rps.filter((r) => r > 1).length} of ${pairs}`);
  console.log(`  by server CPU per request: ${showRatios(B.cpu)}`);
} finally {
  for (const server of panels) await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
