// Compiles the HTTP server (scripts/server.mts) into the production build, so
// it runs on plain Node: a TypeScript loader at run time cost the server ~60 MB
// of RSS and a thread of its own. Run after `next build`, which empties .next.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Where `npm start`, the tests and the benchmark find the compiled server. */
export const SERVER_BUILD = path.join(root, ".next", "xui-server.mjs");

export async function buildServer() {
  await build({
    entryPoints: [path.join(root, "scripts", "server.mts")],
    outfile: SERVER_BUILD,
    bundle: true,
    // next, zod …: resolved from node_modules at run time, as by the app itself.
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildServer();
