// `npm run bench`: how much a bearer-authenticated /panel/api request costs
// next to the bare Next.js route, from 1 to 100,000 tokens, on an embedded
// libSQL file and on a libSQL server (sqld). See bench/README.md.
//
//   npm run bench                  full run (~10 min), writes bench/results.{md,json}
//   npm run bench -- --smoke       seconds-long run proving the harness works (CI),
//                                  writes bench/tmp/results.{md,json}
//
// Exit status: non-zero only when the harness itself breaks (a server does not
// start, a run answers the wrong status, …). Missed targets are reported, not fatal.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@libsql/client";
import { loadRun } from "./load.mjs";
import { bearer, signIn, STATUS_PATH } from "./panel-client.mjs";
import { ensureBuild, ensureSqld, BENCH_TMP, ROOT, killChildren, startPanel, startPlainServer, startSqld } from "./procs.mjs";
import { measureListPage } from "./list-page.mjs";
import { measureDisablePropagation } from "./propagation.mjs";
import { writeResults } from "./report.mjs";
import { seedDatabase } from "./seed.mjs";
import { evaluateTargets, summarizeSubjects } from "./summary.mjs";
import { badChecksumToken, hasValidChecksum, mintToken, unknownToken } from "./tokens.mjs";

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    rounds: { type: "string" },
    pairs: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    tokens: { type: "string" },
    "no-sqld": { type: "boolean", default: false },
    only: { type: "string" },
    "no-build": { type: "boolean", default: false },
    out: { type: "string" },
  },
});

const smoke = args.smoke;
const settings = {
  smoke,
  // Many short alternations follow the shared machine's swings far better than a few long
  // runs: other tenants' bursts last seconds to minutes, so a subject second and the
  // baseline seconds on either side of it see nearly the same machine (bench/README.md).
  rounds: Number(args.rounds ?? (smoke ? 1 : 4)),
  /** Subject runs per subject per round, each between two baseline runs (B S B S … B). */
  pairs: Number(args.pairs ?? (smoke ? 1 : 5)),
  durationS: Number(args.duration ?? 1),
  // Each segment starts with every path driven for a while (segmentWarmupS), and the runs
  // of a segment follow each other without a pause, so a run needs no warm-up of its own.
  // The smoke run skips warm-ups: it proves the harness works, its figures mean nothing.
  warmupS: Number(args.warmup ?? 0),
  connections: Number(args.connections ?? 10),
  tokenCounts: (args.tokens ?? (smoke ? "1,10,100" : "1,1000,100000")).split(",").map(Number),
  segmentWarmupS: smoke ? 0 : 2,
  propagationTrials: smoke ? 1 : 3,
};
for (const name of ["rounds", "pairs", "connections"]) {
  if (!Number.isInteger(settings[name]) || settings[name] < 1) throw new Error(`--${name} takes a positive integer`);
}
if (!(settings.durationS > 0) || !(settings.warmupS >= 0)) throw new Error("--duration takes seconds > 0, --warmup seconds ≥ 0");
if (settings.tokenCounts.length !== 3 || settings.tokenCounts.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new Error("--tokens takes three positive integers: fewest,middle,most (e.g. 1,1000,100000)");
}
if (settings.tokenCounts[1] < 2 || settings.tokenCounts[2] < 2) throw new Error("the middle and largest token counts must be ≥ 2");
const outDir = path.resolve(args.out ?? (smoke ? BENCH_TMP : path.join(ROOT, "bench")));

const started = performance.now();
const log = (msg) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
const notices = [];
const problems = [];
const notice = (msg) => {
  notices.push(msg);
  log(`NOTICE: ${msg}`);
};

/** Self-check of the token strings the floods send: a flood of the wrong kind would measure the wrong path. */
function checkTokenGenerators() {
  for (let i = 0; i < 1000; i++) {
    if (!hasValidChecksum(unknownToken())) throw new Error("unknownToken() made a token with a bad checksum");
    if (hasValidChecksum(badChecksumToken())) throw new Error("badChecksumToken() made a token with a valid checksum");
  }
}

const servers = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), "xui-bench-"));
const admin = { username: "bench-admin", password: randomBytes(18).toString("base64url") };
// id 1: an admin token, the bearer of every load run and of the setEnabled calls;
// id 2: the token the propagation check disables (absent when N = 1).
const adminToken = { ...mintToken(), name: "bench-admin", scope: "admin", id: 1 };
const victim = { ...mintToken(), name: "bench-victim", scope: "monitor", id: 2 };
const seeding = [];

async function seedPanelDatabase(databaseUrl, tokens, database) {
  const known = tokens === 1 ? [adminToken] : [adminToken, victim];
  const seconds = await seedDatabase(databaseUrl, { total: tokens, known });
  seeding.push({ tokens, database, seconds });
  log(`seeded ${tokens} tokens into ${database} in ${seconds.toFixed(1)} s`);
}

/** Waits until a fresh replica has pulled the seeded tokens from its primary. */
async function untilReplicated(url, tokens) {
  const client = createClient({ url });
  try {
    for (const started = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 200))) {
      const n = await client.execute("SELECT count(*) AS n FROM api_tokens").then((r) => Number(r.rows[0].n), () => 0);
      if (n >= tokens) return log(`replica has the ${tokens} tokens after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (Date.now() - started > 120_000) throw new Error(`the sqld replica has ${n} of ${tokens} tokens after 120 s`);
    }
  } finally {
    client.close();
  }
}

async function startPanelOn(label, { databaseUrl, tokens, database }) {
  const server = await startPanel(label, { databaseUrl, admin });
  servers.push(server);
  return Object.assign(server, { tokens, database });
}

const healthz = (server) => ({ url: server.baseUrl, path: "/healthz", expect: 200, label: "GET /healthz" });
const bearerLoad = (server) => ({ url: server.baseUrl, path: STATUS_PATH, headers: bearer(adminToken.plaintext), expect: 200 });
const floodLoad = (server, make) => ({
  url: server.baseUrl,
  path: STATUS_PATH,
  header: () => ["authorization", `Bearer ${make()}`],
  expect: 401,
});

/** One fetch per target before the load: a wrong status here is a harness error with a clear message. */
async function preflight(name, target) {
  const headers = { ...(target.headers ?? {}) };
  if (target.header) {
    const [key, value] = target.header();
    headers[key] = value;
  }
  const response = await fetch(`${target.url}${target.path}`, { headers });
  const body = await response.text();
  if (response.status !== target.expect) {
    throw new Error(`preflight ${name}: expected ${target.expect}, got ${response.status} ${body.slice(0, 200)}`);
  }
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

function gitCommit() {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout?.trim();
  const dirty = spawnSync("git", ["status", "--porcelain", "--", "app", "lib", "db", "scripts", "proxy.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  }).stdout?.trim();
  return head ? `${head}${dirty ? " (product code modified)" : ""}` : "unknown";
}

async function main() {
  log(`${smoke ? "smoke" : "full"} run: tokens ${settings.tokenCounts.join(" / ")}, ${settings.rounds} round(s) × ${settings.pairs} pair(s), ` +
    `${settings.warmupS}+${settings.durationS} s per run, ${settings.connections} connections`);
  checkTokenGenerators();
  if (!args["no-build"]) ensureBuild(log);
  // What is measured is what was built now: an edit made while the run goes on must not relabel it.
  const commit = gitCommit();

  const [few, mid, most] = settings.tokenCounts;
  const file = (n) => `file:${path.join(tmp, `tokens-${n}.db`)}`;
  // A libSQL server, when it can be had: the multi-machine setup.
  let sqld = null;
  let replica = null;
  if (args["no-sqld"]) notice("sqld part skipped (--no-sqld)");
  else {
    const found = ensureSqld(log);
    if (found.reason) notice(`sqld part skipped: ${found.reason}`);
    else {
      try {
        const primary = await startSqld(found.bin, path.join(tmp, "sqld-data"), { primary: true });
        servers.push(primary);
        const itsReplica = await startSqld(found.bin, path.join(tmp, "sqld-replica-data"), { replicaOf: primary });
        servers.push(itsReplica);
        [sqld, replica] = [primary, itsReplica];
      } catch (error) {
        notice(`sqld part skipped: sqld did not start: ${String(error.message).split("\n")[0]}`);
      }
    }
  }

  // Seeding one database after the other keeps its timing clean; then every
  // server starts at once. The second panels (for the disable check) idle
  // until the end, so they cost the load runs nothing.
  for (const n of [few, mid, most]) await seedPanelDatabase(file(n), n, "file");
  if (sqld) {
    await seedPanelDatabase(sqld.url, most, "sqld");
    await untilReplicated(replica.url, most);
  }
  const [small, middle, large, largeSecond, sqldPanel, sqldSecond, replicaPanel, plain] = await Promise.all([
    startPanelOn(`file-${few}`, { databaseUrl: file(few), tokens: few, database: "file" }),
    startPanelOn(`file-${mid}`, { databaseUrl: file(mid), tokens: mid, database: "file" }),
    startPanelOn(`file-${most}`, { databaseUrl: file(most), tokens: most, database: "file" }),
    startPanelOn(`file-${most}-b`, { databaseUrl: file(most), tokens: most, database: "file" }),
    sqld && startPanelOn(`sqld-${most}`, { databaseUrl: sqld.url, tokens: most, database: "sqld" }),
    sqld && startPanelOn(`sqld-${most}-b`, { databaseUrl: sqld.url, tokens: most, database: "sqld" }),
    replica && startPanelOn(`sqld-replica-${most}`, { databaseUrl: replica.url, tokens: most, database: "sqld replica" }),
    startPlainServer().then((server) => (servers.push(server), server)),
  ]);
  log(`servers up: ${servers.map((s) => s.label).join(", ")}`);

  const cookie = await signIn(small.baseUrl, admin);
  const subjectsBySegment = [
    {
      server: small,
      subjects: [
        { id: "bearer@few", label: "bearer token", target: bearerLoad(small) },
        {
          id: "gzip@few",
          label: "bearer token, client accepts gzip",
          // What bots send (Python requests, axios): small answers must not pay for compression.
          target: { ...bearerLoad(small), headers: { ...bearer(adminToken.plaintext), "Accept-Encoding": "gzip, deflate" } },
        },
        { id: "session@few", label: "session cookie", target: { url: small.baseUrl, path: STATUS_PATH, headers: { Cookie: cookie }, expect: 200 } },
        { id: "unknown@few", label: "flood: unknown well-formed tokens", target: floodLoad(small, unknownToken) },
        { id: "badsum@few", label: "flood: bad-checksum tokens", target: floodLoad(small, badChecksumToken) },
        { id: "plain", label: "plain node:http (no Next.js)", target: { ...healthz(plain) }, pid: plain.pid, database: "–", tokens: null },
      ],
    },
    { server: middle, subjects: [{ id: "bearer@mid", label: "bearer token", target: bearerLoad(middle) }] },
    {
      server: large,
      subjects: [
        { id: "bearer@most", label: "bearer token", target: bearerLoad(large) },
        { id: "unknown@most", label: "flood: unknown well-formed tokens", target: floodLoad(large, unknownToken) },
        { id: "badsum@most", label: "flood: bad-checksum tokens", target: floodLoad(large, badChecksumToken) },
      ],
    },
  ];
  if (sqldPanel) {
    subjectsBySegment.push({ server: sqldPanel, subjects: [{ id: "bearer@sqld", label: "bearer token", target: bearerLoad(sqldPanel) }] });
    subjectsBySegment.push({ server: replicaPanel, subjects: [{ id: "bearer@replica", label: "bearer token", target: bearerLoad(replicaPanel) }] });
  }
  // --only bearer@few,badsum@few: a quick A/B of a few subjects while changing code (targets
  // of the others then read "not measured").
  if (args.only) {
    const wanted = new Set(args.only.split(",").map((id) => id.trim()));
    const known = subjectsBySegment.flatMap((segment) => segment.subjects.map((s) => s.id));
    const unknown = [...wanted].filter((id) => !known.includes(id));
    if (unknown.length) throw new Error(`--only: no subject ${unknown.join(", ")} (there are: ${known.join(", ")})`);
    for (const segment of subjectsBySegment) segment.subjects = segment.subjects.filter((s) => wanted.has(s.id));
    subjectsBySegment.splice(0, subjectsBySegment.length, ...subjectsBySegment.filter((segment) => segment.subjects.length > 0));
  }

  const subjects = [];
  for (const segment of subjectsBySegment) {
    await preflight(`${segment.server.label} /healthz`, healthz(segment.server));
    for (const s of segment.subjects) {
      await preflight(`${segment.server.label} ${s.id}`, s.target);
      subjects.push({
        ...s,
        serverLabel: s.id === "plain" ? plain.label : segment.server.label,
        database: s.database ?? segment.server.database,
        tokens: s.tokens === undefined ? segment.server.tokens : s.tokens,
      });
    }
  }

  const runs = [];
  const loadOptions = { connections: settings.connections, durationS: settings.durationS, warmupS: settings.warmupS };
  async function measure(entry, target, pid, server) {
    const dead = servers.filter((s) => !s.alive());
    if (dead.length) throw new Error(`stopped: ${dead.map((s) => s.label).join(", ")} no longer running (see above)`);
    const before = await server.queryCount?.();
    const result = await loadRun(target, { ...loadOptions, serverPid: pid });
    const after = await server.queryCount?.();
    const index = runs.length;
    const handled = result.requests + result.warmupRequests;
    const queriesPerRequest =
      before && after ? (after.prepared - before.prepared + after.remoteRequests - before.remoteRequests) / handled : null;
    const run = { index, ...entry, ...result, queriesPerRequest };
    // Latencies feed the merged percentiles but are too many to store.
    Object.defineProperty(run, "latencies", { value: result.latencies, enumerable: false });
    runs.push(run);
    for (const p of result.problems) problems.push(`${entry.subjectId ?? "baseline"} on ${entry.server}, round ${entry.round}: ${p}`);
    log(
      `  ${(entry.subjectId ?? `baseline`).padEnd(13)} ${entry.server.padEnd(12)} ${result.rps.toFixed(0).padStart(6)} req/s  ` +
        `${result.cpuUsPerRequest?.toFixed(0) ?? "?"} CPU µs/req  p50 ${result.p50?.toFixed(2)} ms  p99 ${result.p99?.toFixed(2)} ms  RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB` +
        (queriesPerRequest !== null ? `  ${queriesPerRequest.toFixed(2)} stmt/req` : "") +
        (result.problems.length ? `  PROBLEM: ${result.problems.join("; ")}` : ""),
    );
    return index;
  }

  // A server is several times slower for its first seconds, and again after
  // idling for minutes while the other servers are measured (the heap shrinks,
  // cold code is dropped): each segment starts with every one of its paths
  // driven for a while, unmeasured, so its first baseline is not a cold one.
  async function warmSegment(segment) {
    for (const target of [healthz(segment.server), ...segment.subjects.map((s) => s.target)]) {
      await loadRun(target, { ...loadOptions, durationS: settings.segmentWarmupS, warmupS: 0, serverPid: segment.server.pid });
    }
  }

  for (let round = 1; round <= settings.rounds; round++) {
    log(`round ${round}/${settings.rounds}`);
    for (const segment of subjectsBySegment) {
      const server = segment.server;
      const common = { round, server: server.label, database: server.database, tokens: server.tokens };
      if (settings.segmentWarmupS > 0) await warmSegment(segment);
      const baseline = () => measure({ ...common, kind: "baseline" }, healthz(server), server.pid, server);
      let previousBaseline = await baseline();
      for (const s of segment.subjects) {
        const runServer = s.id === "plain" ? plain : server;
        for (let pair = 1; pair <= settings.pairs; pair++) {
          const subjectRun = await measure(
            { ...common, pair, kind: "subject", subjectId: s.id, server: runServer.label, database: s.database ?? server.database, tokens: s.tokens === undefined ? server.tokens : s.tokens },
            s.target,
            s.pid ?? server.pid,
            runServer,
          );
          const nextBaseline = await baseline();
          runs[subjectRun].neighbours = [previousBaseline, nextBaseline];
          previousBaseline = nextBaseline;
        }
      }
    }
  }
  for (const run of runs) run.neighbours ??= [];

  // Disabling a token: same server at once, a second server on the same database within 1 s.
  const propagation = [];
  log(`disable-propagation check: ${large.label} + ${largeSecond.label} on one file`);
  propagation.push({
    database: "file",
    servers: `two panel processes on one ${most}-token file`,
    ...(await measureDisablePropagation({ first: large, second: largeSecond, adminToken: adminToken.plaintext, victim, reps: settings.propagationTrials })),
  });
  if (sqldPanel) {
    log(`disable-propagation check: ${sqldPanel.label} + ${sqldSecond.label} on one sqld`);
    propagation.push({
      database: "sqld",
      servers: `two panel processes on one sqld with ${most} tokens`,
      ...(await measureDisablePropagation({ first: sqldPanel, second: sqldSecond, adminToken: adminToken.plaintext, victim, reps: settings.propagationTrials })),
    });
    // On a replica: its own next request must already refuse (the write waits for the replica), the other side within 1 s.
    for (const [name, first, second] of [["sqld replica → primary", replicaPanel, sqldPanel], ["sqld primary → replica", sqldPanel, replicaPanel]]) {
      log(`disable-propagation check: ${first.label} + ${second.label} (${name})`);
      propagation.push({
        database: name,
        servers: `a panel on a sqld replica and one on its primary, ${most} tokens`,
        ...(await measureDisablePropagation({ first, second, adminToken: adminToken.plaintext, victim, reps: settings.propagationTrials })),
      });
    }
  } else propagation.push({ database: "sqld", skipped: "no sqld" }, { database: "sqld replica", skipped: "no sqld" });
  for (const p of propagation) {
    if (!p.skipped) {
      log(`  ${p.database}: next request on the same server ${p.trials.map((t) => t.sameServerNextStatus).join("/")}, ` +
        `second server after ${p.trials.map((t) => (t.secondServerDelayMs === null ? ">5000" : t.secondServerDelayMs.toFixed(0))).join("/")} ms`);
    }
  }

  let listPage = null;
  if (!args.only) {
    log(`Security page in Chromium: ${large.label}`);
    listPage = await measureListPage({ server: large, admin, bearerToken: adminToken.plaintext, tokens: most, smoke });
    const { navigation: n, healthz: h } = listPage;
    log(`  first rows after ${n.firstRowsMs.map((ms) => ms.toFixed(0)).join("/")} ms; largest list response ${n.largestListBytes} B; ` +
      `/healthz p99 ${h.aloneP99?.toFixed(1)} ms alone, ${h.duringP99?.toFixed(1)} ms during a full list`);
  }

  const summary = summarizeSubjects(subjects, runs);
  const targets = evaluateTargets(summary, { tokenCounts: settings.tokenCounts, runs, propagation, seeding, listPage });
  const cpus = os.cpus();
  const results = {
    environment: {
      date: new Date().toISOString(),
      cores: cpus.length,
      cpuModel: cpus[0]?.model?.trim() ?? "unknown",
      memoryGB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
      node: process.version,
      next: versionOf("next"),
      autocannon: versionOf("autocannon"),
      sqld: sqld?.version ?? null,
      commit,
    },
    settings,
    summary,
    targets,
    propagation,
    listPage,
    seeding,
    notices,
    problems,
    runs,
    elapsedS: (performance.now() - started) / 1000,
  };
  const written = writeResults(outDir, results);
  log(`wrote ${path.relative(ROOT, written.md)} and ${path.relative(ROOT, written.json)}`);
  for (const t of targets) log(`  ${t.met === null ? "–      " : t.met ? "met    " : "NOT MET"} ${t.name}: ${t.value} (goal ${t.goal})`);
}

let exitCode = 0;
try {
  await main();
  if (problems.length) {
    exitCode = 1;
    log(`harness problems (${problems.length}):\n  ${problems.join("\n  ")}`);
  }
} catch (error) {
  exitCode = 1;
  log(`FAILED: ${error?.stack ?? error}`);
} finally {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await killChildren();
  rmSync(tmp, { recursive: true, force: true });
}
log(`${exitCode === 0 ? "done" : "failed"} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(exitCode);
