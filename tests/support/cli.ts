import { execFile } from "node:child_process";
import path from "node:path";
import { ROOT } from "./server";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");

/** Node's arguments to run a TypeScript file of the project as `npm run panel` runs the CLI (from ROOT). */
export const tsxArgs = (script: string, ...args: string[]) => [TSX, "--conditions=react-server", "--tsconfig", "tsconfig.json", script, ...args];

/**
 * Runs the real CLI as `npm run panel` does (`tsx --conditions=react-server
 * --tsconfig tsconfig.json cli/panel.ts …` in the project root), minus npm's own start-up, against
 * `databaseUrl`.
 */
export function runPanel(
  args: string[],
  databaseUrl: string,
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      tsxArgs("cli/panel.ts", ...args),
      {
        cwd: ROOT,
        // Not started by npm: relative file arguments are relative to cwd.
        env: { ...process.env, npm_lifecycle_event: "", DATABASE_URL: databaseUrl, ...options.env },
        encoding: "utf8",
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
    // Closed either way, so a command reading stdin never waits for more.
    child.stdin!.end(options.input ?? "");
  });
}
