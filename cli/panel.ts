/**
 * `npm run panel -- <command>`: the operator's command line (see cli/run.ts).
 *
 * Run with tsx (a runtime dependency, so it is there after a plain
 * `npm install`, dev dependencies or not): it executes the app's TypeScript as
 * is, `@/` path aliases included (read from tsconfig.json), so the CLI imports
 * the very modules the server runs — token service, admin reset, database
 * client, migrations — with no build step and no second copy to drift.
 * Those modules import `server-only`, which throws unless resolved with the
 * "react-server" condition, hence `--conditions=react-server` in the script.
 */
import path from "node:path";
import { runCli } from "./run";

// npm runs scripts from the project root and says where the user was in INIT_CWD.
const callerCwd = process.env.npm_lifecycle_event === "panel" && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
// Like scripts/server.mts: DATABASE_URL=file:data/panel.db and the migrations are the project's.
process.chdir(path.resolve(__dirname, ".."));

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  cwd: callerCwd,
  interactive: Boolean(process.stderr.isTTY),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`panel: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
