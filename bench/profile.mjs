// `node bench/profile.mjs`: where a request's time goes. Starts one panel with
// `--cpu-prof` and the query probe, drives each scenario in turn for a fixed
// time, then cuts the server's CPU profile into those time windows and charges
// every sample to the original source (through the build's source maps):
// CPU µs per request by area (Next.js, drizzle, libSQL, zod, our lib/ …) and
// the hottest functions, plus database statements per request.
//
//   node bench/profile.mjs [--tokens 100000] [--duration 2] [--rounds 8] [--warmup 3] [--db file|sqld]
//
// The scenarios take turns (--rounds times, --duration s each), so a burst of
// other programs on a shared machine spreads over all of them instead of
// landing on one; each scenario's figures add up all of its turns.
//
// Writes bench/tmp/profile.md (and the raw .cpuprofile under bench/tmp/profiles/).
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadRun } from "./load.mjs";
import { bearer, signIn, STATUS_PATH } from "./panel-client.mjs";
import { BENCH_TMP, ensureBuild, ensureSqld, ROOT, startPanel, startSqld } from "./procs.mjs";
import { seedDatabase } from "./seed.mjs";
import { badChecksumToken, mintToken, unknownToken } from "./tokens.mjs";

const { values: args } = parseArgs({
  options: {
    tokens: { type: "string", default: "100000" },
    duration: { type: "string", default: "2" },
    rounds: { type: "string", default: "8" },
    warmup: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    db: { type: "string", default: "file" },
  },
});
const tokens = Number(args.tokens);
const durationS = Number(args.duration);
const rounds = Number(args.rounds);
const connections = Number(args.connections);
const log = (msg) => console.error(`[profile] ${msg}`);

/** Which part of the stack a source file belongs to. */
function areaOf(source, functionName) {
  if (!source) {
    if (functionName === "(garbage collector)") return "V8 garbage collector";
    if (functionName === "(idle)") return "(idle)";
    if (functionName === "(program)") return "V8/native (program)";
    return "native / builtins";
  }
  const rules = [
    [/node_modules\/drizzle-orm\//, "drizzle-orm"],
    [/node_modules\/(@libsql|libsql)\//, "libSQL client"],
    [/node_modules\/zod\//, "zod"],
    [/node_modules\/next\//, "Next.js"],
    [/node_modules\/(react|react-dom)\//, "React"],
    [/node_modules\//, "other packages"],
    [/(^|\/)lib\/tokens\//, "lib/tokens (token checks)"],
    [/(^|\/)lib\/auth\//, "lib/auth"],
    [/(^|\/)lib\/api\//, "lib/api (apiRoute)"],
    [/(^|\/)lib\/server-status\//, "lib/server-status"],
    [/(^|\/)(lib|db|app)\//, "other app code"],
    [/^node:/, "Node.js core"],
    [/\.next\//, "Next.js build output (unmapped)"],
  ];
  for (const [pattern, area] of rules) if (pattern.test(source)) return area;
  return "other";
}

const sourceMaps = new Map();
/** Maps a profile frame (file URL, 0-based line/column) to its original source through the chunk's .map. */
function originalOf(url, line, column) {
  if (!url.startsWith("file://")) return { source: url, line };
  const file = url.slice("file://".length);
  if (!sourceMaps.has(file)) {
    let map = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, "utf8")));
    } catch {
      // no map: keep the generated position
    }
    sourceMaps.set(file, map);
  }
  const map = sourceMaps.get(file);
  const entry = map?.findEntry(line, column);
  if (!entry?.originalSource) return { source: path.relative(ROOT, file), line };
  const resolved = path.resolve(path.dirname(file), entry.originalSource.replace(/^file:\/\//, ""));
  return { source: path.relative(ROOT, resolved), line: entry.originalLine };
}

/** Self time per area and per function for the samples inside `spans` ([from, to] µs, V8's monotonic clock). */
function summarizeWindow(profile, spans) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((child) => [child, n.id])));
  const byArea = new Map();
  const byFunction = new Map();
  // Inclusive time of our own functions (lib/, app/, db/, scripts/): what a step costs with all it calls.
  const inclusive = new Map();
  const ownKeys = new Map();
  const ownKeyOf = (id) => {
    if (!ownKeys.has(id)) {
      const frame = nodes.get(id).callFrame;
      const original = frame.url ? originalOf(frame.url, frame.lineNumber, frame.columnNumber) : { source: "" };
      ownKeys.set(id, /^(lib|app|db|scripts)\//.test(original.source) ? `${frame.functionName || "(anonymous)"} ${original.source}:${original.line + 1}` : null);
    }
    return ownKeys.get(id);
  };
  let t = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    if (!spans.some(([from, to]) => t >= from && t <= to)) return;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const frame = nodes.get(id).callFrame;
    const original = frame.url ? originalOf(frame.url, frame.lineNumber, frame.columnNumber) : { source: "", line: 0 };
    const area = areaOf(original.source, frame.functionName);
    if (area === "(idle)") return;
    total += delta;
    byArea.set(area, (byArea.get(area) ?? 0) + delta);
    const key = `${frame.functionName || "(anonymous)"} ${original.source ? `${original.source}:${original.line + 1}` : ""}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + delta);
    const seen = new Set();
    for (let node = id; node !== undefined; node = parents.get(node)) {
      const own = ownKeyOf(node);
      if (own && !seen.has(own)) {
        seen.add(own);
        inclusive.set(own, (inclusive.get(own) ?? 0) + delta);
      }
    }
  });
  return { total, byArea, byFunction, inclusive };
}

/** The server's monotonic clock in µs, as V8's profiler stamps samples (both read CLOCK_MONOTONIC). */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

async function main() {
  ensureBuild(log);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "xui-profile-"));
  const profileDir = path.join(BENCH_TMP, "profiles");
  rmSync(profileDir, { recursive: true, force: true });
  process.env.BENCH_CPU_PROF = "1";
  process.env.BENCH_COUNT_QUERIES = "1";
  const admin = { username: "bench-admin", password: randomBytes(18).toString("base64url") };
  const adminToken = { ...mintToken(), name: "bench-admin", scope: "admin" };
  const stopping = [];
  try {
    let databaseUrl = `file:${path.join(tmp, "panel.db")}`;
    if (args.db === "sqld") {
      const found = ensureSqld(log);
      if (found.reason) throw new Error(found.reason);
      const sqld = await startSqld(found.bin, path.join(tmp, "sqld"));
      stopping.push(sqld);
      databaseUrl = sqld.url;
    }
    const seconds = await seedDatabase(databaseUrl, { total: tokens, known: [adminToken] });
    log(`seeded ${tokens} tokens (${args.db}) in ${seconds.toFixed(1)} s`);
    const server = await startPanel("profile", { databaseUrl, admin });
    const cookie = await signIn(server.baseUrl, admin);
    const flood = (make) => ({ url: server.baseUrl, path: STATUS_PATH, header: () => ["authorization", `Bearer ${make()}`], expect: 401 });
    const scenarios = [
      ["GET /healthz (baseline)", { url: server.baseUrl, path: "/healthz", expect: 200 }],
      ["bearer token", { url: server.baseUrl, path: STATUS_PATH, headers: bearer(adminToken.plaintext), expect: 200 }],
      ["session cookie", { url: server.baseUrl, path: STATUS_PATH, headers: { Cookie: cookie }, expect: 200 }],
      ["flood: unknown tokens", flood(unknownToken)],
      ["flood: bad checksums", flood(badChecksumToken)],
    ];
    for (const [, target] of scenarios) {
      await loadRun(target, { connections, durationS: Number(args.warmup), warmupS: 0, serverPid: server.pid });
    }
    const windows = scenarios.map(([name]) => ({ name, spans: [], requests: 0, seconds: 0, statements: 0 }));
    for (let round = 0; round < rounds; round++) {
      for (const [i, [, target]] of scenarios.entries()) {
        const w = windows[i];
        const before = await server.queryCount();
        const from = monotonicMicros();
        const result = await loadRun(target, { connections, durationS, warmupS: 0, serverPid: server.pid });
        const to = monotonicMicros();
        const after = await server.queryCount();
        w.spans.push([from, to]);
        w.requests += result.requests;
        w.seconds += result.durationS;
        w.statements += after.prepared - before.prepared + after.remoteRequests - before.remoteRequests;
      }
    }
    for (const w of windows) {
      w.result = { requests: w.requests, rps: w.requests / w.seconds };
      w.statementsPerRequest = w.statements / w.requests;
      log(`${w.name}: ${w.result.rps.toFixed(0)} req/s, ${w.statementsPerRequest.toFixed(2)} statements/request`);
    }
    await server.stop();
    const [file] = readdirSync(path.join(profileDir, "profile")).filter((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error("the server wrote no CPU profile");
    const profile = JSON.parse(readFileSync(path.join(profileDir, "profile", file), "utf8"));
    const report = renderReport(windows.map((w) => ({ ...w, ...summarizeWindow(profile, w.spans) })));
    mkdirSync(BENCH_TMP, { recursive: true });
    const out = path.join(BENCH_TMP, "profile.md");
    writeFileSync(out, report);
    console.log(report);
    log(`wrote ${path.relative(ROOT, out)}; raw profile ${path.relative(ROOT, path.join(profileDir, "profile", file))}`);
  } finally {
    for (const s of stopping) await s.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function renderReport(windows) {
  const perRequest = (w, us) => us / w.result.requests;
  const areas = [...new Set(windows.flatMap((w) => [...w.byArea.keys()]))].sort(
    (a, b) => (windows[1]?.byArea.get(b) ?? 0) - (windows[1]?.byArea.get(a) ?? 0),
  );
  const lines = [
    `# Where a request's time goes (${tokens} tokens, ${args.db}, ${connections} connections, ${rounds} turns of ${durationS} s per scenario)`,
    "",
    "Server CPU time per request (µs), from its V8 CPU profile cut to each scenario's time window; idle excluded.",
    "",
    `| area | ${windows.map((w) => w.name).join(" | ")} |`,
    `|---|${windows.map(() => "---:").join("|")}|`,
    `| **req/s** | ${windows.map((w) => w.result.rps.toFixed(0)).join(" | ")} |`,
    `| **DB statements / request** | ${windows.map((w) => w.statementsPerRequest.toFixed(2)).join(" | ")} |`,
    `| **total CPU µs / request** | ${windows.map((w) => perRequest(w, w.total).toFixed(0)).join(" | ")} |`,
  ];
  for (const area of areas) {
    lines.push(`| ${area} | ${windows.map((w) => perRequest(w, w.byArea.get(area) ?? 0).toFixed(0)).join(" | ")} |`);
  }
  // Shares survive what absolute figures do not: a busy machine inflates every
  // sample interval of a window alike, so compare scenarios by share.
  lines.push(
    "",
    "Share of the server's CPU time in each window (%), steadier than µs when other programs compete for the cores:",
    "",
    `| area | ${windows.map((w) => w.name).join(" | ")} |`,
    `|---|${windows.map(() => "---:").join("|")}|`,
  );
  for (const area of areas) {
    lines.push(`| ${area} | ${windows.map((w) => ((100 * (w.byArea.get(area) ?? 0)) / w.total).toFixed(1)).join(" | ")} |`);
  }
  for (const w of windows.slice(1)) {
    lines.push("", `## ${w.name}: hottest functions (self µs / request; baseline in brackets)`, "");
    const base = windows[0];
    const top = [...w.byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
    for (const [fn, us] of top) {
      const baseUs = base.byFunction.get(fn) ?? 0;
      lines.push(`- ${perRequest(w, us).toFixed(1)} (${perRequest(base, baseUs).toFixed(1)}) ${fn}`);
    }
    // What this scenario adds: the functions whose time per request grew most over the baseline's.
    lines.push("", `### ${w.name}: largest increases over the baseline (µs / request)`, "");
    const names = new Set([...w.byFunction.keys(), ...base.byFunction.keys()]);
    const deltas = [...names].map((fn) => [fn, perRequest(w, w.byFunction.get(fn) ?? 0) - perRequest(base, base.byFunction.get(fn) ?? 0)]);
    for (const [fn, delta] of deltas.sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 25))) {
      lines.push(`- +${delta.toFixed(1)} ${fn}`);
    }
    lines.push("", `### ${w.name}: our functions, inclusive µs / request (baseline in brackets)`, "");
    const own = [...w.inclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
    for (const [fn, us] of own) lines.push(`- ${perRequest(w, us).toFixed(1)} (${perRequest(base, base.inclusive.get(fn) ?? 0).toFixed(1)}) ${fn}`);
  }
  return lines.join("\n") + "\n";
}

await main();
