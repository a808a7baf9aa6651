// `node bench/steps.mjs`: what each step of a call costs, on one panel. `/healthz` is the baseline.
// With a bearer token it adds verifying the token (a public route takes one into account); with a
// session cookie, only Next.js's own parsing of the Cookie header (public routes never read the
// session, and the server moves the header out of Next.js's way on `/panel/api` alone). The status
// calls add the route's permission check, the handler, a larger body and the request line.
//
//   node bench/steps.mjs [--pairs 20] [--duration 1]
//
// Prints each subject's median req/s ÷ baseline over the pairs (bench/paired.mjs), and by server CPU.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadRun } from "./load.mjs";
import { pairedRatios, showRatios } from "./paired.mjs";
import { bearer, signIn, STATUS_PATH } from "./panel-client.mjs";
import { ensureBuild, startPanel } from "./procs.mjs";
import { seedDatabase } from "./seed.mjs";
import { mintToken } from "./tokens.mjs";

const { values: args } = parseArgs({ options: { pairs: { type: "string", default: "20" }, duration: { type: "string", default: "1" } } });
const pairs = Number(args.pairs);
const durationS = Number(args.duration);
const log = (msg) => console.error(`[steps] ${msg}`);

ensureBuild(log);
const tmp = mkdtempSync(path.join(os.tmpdir(), "xui-steps-"));
const admin = { username: "bench-admin", password: randomBytes(18).toString("base64url") };
const token = { ...mintToken(), name: "bench-admin", scope: "admin" };
const databaseUrl = `file:${path.join(tmp, "steps.db")}`;
await seedDatabase(databaseUrl, { total: 1, known: [token] });
const server = await startPanel("steps", { databaseUrl, admin });
try {
  const cookie = await signIn(server.baseUrl, admin);
  const target = (requestPath, headers = {}) => ({ url: server.baseUrl, path: requestPath, headers, expect: 200 });
  const run = (t) => () => loadRun(t, { connections: 10, durationS, warmupS: 0, serverPid: server.pid });
  const baseline = run(target("/healthz"));
  const subjects = {
    "/healthz + bearer token": run(target("/healthz", bearer(token.plaintext))),
    "/healthz + cookie (unread)": run(target("/healthz", { Cookie: cookie })),
    "status, bearer token": run(target(STATUS_PATH, bearer(token.plaintext))),
    "status, session cookie": run(target(STATUS_PATH, { Cookie: cookie })),
  };
  // Warm-up: every path JIT-compiled before anything counts.
  for (let i = 0; i < 2; i++) for (const r of [baseline, ...Object.values(subjects)]) await r();
  const ratios = await pairedRatios(baseline, subjects, pairs);
  console.log(`÷ /healthz on one panel, ${pairs} pairs of ${durationS} s runs:`);
  for (const [name, r] of Object.entries(ratios)) console.log(`  ${name.padEnd(26)} req/s ${showRatios(r.rps)}; by CPU ${showRatios(r.cpu)}`);
} finally {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
}
