// The panel's HTTP server: Next.js in production mode behind a plain node:http
// server. The one thing `next start` cannot do for us is tell the app the TCP
// peer's address: Next fills X-Forwarded-For from the socket only when the
// client did not send one, so a client could choose its own IP. We stamp the
// socket address on every request under a header name nobody else may set.
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dev = process.argv.includes("--dev");
process.env.NODE_ENV ??= dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const { default: next } = await import("next");

const SOCKET_ADDRESS_HEADER = "x-xui-socket-address";
const LOGIN_PATH = /^\/login(\?|$)/;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || 2053);
const host = process.env.HOST || "0.0.0.0";

// Relative paths (DATABASE_URL=file:data/panel.db, the migrations) are the project's.
process.chdir(root);

const app = next({ dev, dir: root, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();
await waitForStartup();

const server = createServer((req, res) => {
  // Overwrites whatever the client sent under this name.
  req.headers[SOCKET_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  // `GET /login` is the login page and `POST /login` the login API, but one
  // Next path cannot hold both a page and a route handler. Routing the POST
  // here (not with a proxy.ts rewrite, which Next performs as a second HTTP
  // request from 127.0.0.1) keeps the caller's address and saves a hop.
  if (req.method === "POST" && LOGIN_PATH.test(req.url ?? "")) req.url = req.url.replace("/login", "/auth/login");
  handle(req, res).catch((error) => {
    console.error(JSON.stringify({ level: "error", msg: "request failed", error: String(error?.message ?? error) }));
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end('{"success":false,"msg":"internal server error"}');
    } else {
      res.destroy();
    }
  });
});
// Slow or stalled clients must not hold connections forever.
server.requestTimeout = 30_000;
server.headersTimeout = 20_000;
server.keepAliveTimeout = 65_000;

server.on("error", (error) => {
  console.error(`xui-panel: cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  console.log(`xui-panel ready on http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port} (${dev ? "development" : "production"})`);
});

/**
 * instrumentation.ts opens and migrates the database and creates the first
 * admin (lib/startup.ts) while Next prepares. Wait for it so "ready" means
 * ready, and stop with the reason if it failed (bad DATABASE_URL, …).
 */
async function waitForStartup() {
  const key = Symbol.for("xui-panel.startup");
  const deadline = Date.now() + (dev ? 2_000 : 30_000);
  while (!globalThis[key]?.done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  try {
    await globalThis[key]?.done;
  } catch (error) {
    console.error(`xui-panel: cannot start: ${error?.message ?? error}`);
    process.exit(1);
  }
}

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`xui-panel: ${signal}, shutting down`);
  const flush = () => Promise.resolve(globalThis[Symbol.for("xui-panel.startup")]?.shutdown?.()).catch(() => undefined);
  // Finish in-flight requests, then write the aggregated audit counts still in memory.
  server.close(() => void flush().then(() => process.exit(0)));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
