// `npm start`: build if there is no production build (or the sources are newer
// than it), then serve. One command from a fresh clone to a running panel.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildState } from "./build-state.mjs";
import { buildServer, SERVER_BUILD } from "./build-server.mjs";
import { serverNodeFlags } from "./node-flags.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

if (buildState(root) !== "fresh") {
  console.log("xui-panel: building the production bundle (first start or sources changed)…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  await buildServer();
}

// The server in a process of its own, with the panel's Node flags (scripts/node-flags.mjs).
const server = spawn(process.execPath, [...serverNodeFlags(), SERVER_BUILD], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
