// Whether the production bundle (.next) is missing or older than what it is
// built from. Shared by `npm start` (scripts/start.mjs) and `npm run bench`,
// so neither serves or measures a build that predates the code.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "db", "public", "proxy.ts", "instrumentation.ts", "next.config.ts", "package-lock.json", "scripts/server.mts"];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** "missing", "stale" or "fresh". */
export function buildState(root) {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId) || !existsSync(path.join(root, ".next", "xui-server.mjs"))) return "missing";
  const builtAt = statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > builtAt) ? "stale" : "fresh";
}
