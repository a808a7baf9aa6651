// The panel's HTTP server: Next.js in production mode behind a plain node:http
// server. The one thing `next start` cannot do for us is tell the app the TCP
// peer's address: Next fills X-Forwarded-For from the socket only when the
// client did not send one, so a client could choose its own IP. We stamp the
// socket address on every request under a header name nobody else may set.
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, STATUS_CODES } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const dev = process.argv.includes("--dev");
process.env.NODE_ENV ??= dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const { default: next } = await import("next");

const SOCKET_ADDRESS_HEADER = "x-xui-socket-address";
/** The request id this server answered with, for the app's log line (lib/api/access-log.ts); a client cannot set it. */
const REQUEST_ID_HEADER = "x-xui-request-id";
/**
 * An incoming X-Request-Id is kept when it looks like an id (UUID, ULID, a
 * proxy's trace id): short, no spaces or quotes. Anything else is replaced, so
 * a client cannot stuff a log line with junk. As in lib/api/access-log.ts.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:+=/-]{1,128}$/;
const SUPPORTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/**
 * On every response, pages, API and static files alike (the only place they are
 * set: see next.config.ts). Pages and JSON routes replace the CSP with their own.
 */
const SECURITY_HEADERS = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
};
const ENVELOPE_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };
const REFUSAL_MSG = {
  400: "bad request",
  405: "method not allowed",
  408: "request timeout",
  431: "request headers are too large",
};
const LOGIN_PATH = /^\/login(\?|$)/;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || 2053);
const host = process.env.HOST || "0.0.0.0";

// Relative paths (DATABASE_URL=file:data/panel.db, the migrations) are the project's.
process.chdir(root);

// Next attaches a WebSocket `upgrade` listener to the server of the first
// request it sees. The panel serves no WebSockets, and once that listener
// exists Node hands every request carrying `Upgrade:` (curl --http2 sends
// `Upgrade: h2c`) to Next, which closes the connection without an answer.
// Outside dev (HMR needs it) Next gets a stand-in, so Node keeps serving such
// requests as plain HTTP (a server may ignore Upgrade, RFC 9110 §7.8).
const app = next({ dev, dir: root, hostname: host, port, ...(dev ? {} : { httpServer: new EventEmitter() }) });
const handle = app.getRequestHandler();
await app.prepare();
await waitForStartup();

// Node's own check answers a missing Host with a bare 400; refused() does it with the envelope.
const server = createServer({ requireHostHeader: false }, (req, res) => {
  // Every answer carries the security headers, also the ones Next writes on its
  // own (405s, redirects); pages and JSON routes replace the CSP with their own.
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  // Every answer carries a request id, also the ones refused here and Next's own.
  // Set on the Node response, it costs a fraction of a header added to a
  // route's Response, which Next.js then copies over (bench/README.md).
  const requestId = requestIdOf(req);
  res.setHeader("X-Request-Id", requestId);
  const refusal = refused(req);
  if (refusal) {
    const body = JSON.stringify({ success: false, msg: refusal.msg, obj: null });
    res.writeHead(refusal.status, { ...ENVELOPE_HEADERS, "Content-Length": Buffer.byteLength(body), ...refusal.headers });
    res.end(body);
    return;
  }
  // Overwrite whatever the client sent under these names.
  req.headers[SOCKET_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  req.headers[REQUEST_ID_HEADER] = requestId;
  // `GET /login` is the login page and `POST /login` the login API, but one
  // Next path cannot hold both a page and a route handler. Routing the POST
  // here (not with a proxy.ts rewrite, which Next performs as a second HTTP
  // request from 127.0.0.1) keeps the caller's address and saves a hop.
  if (req.method === "POST" && LOGIN_PATH.test(req.url ?? "")) req.url = req.url.replace("/login", "/auth/login");
  handle(req, res).catch((error) => {
    console.error(JSON.stringify({ level: "error", msg: "request failed", requestId, error: String(error?.message ?? error) }));
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end('{"success":false,"msg":"internal server error","obj":null}');
    } else {
      res.destroy();
    }
  });
});
// Slow or stalled clients must not hold connections forever.
server.requestTimeout = 30_000;
server.headersTimeout = 20_000;
server.keepAliveTimeout = 65_000;

// Bytes Node cannot parse as HTTP (an unknown method, a bad header, 16 KiB of
// headers …): Node's default answer is a bare status line without a body or
// security headers. Same decision as Node's (answer only if nothing of a
// response was written yet), with the envelope.
server.on("clientError", (error, socket) => {
  if (error.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  socket.end(rawEnvelope(status, REFUSAL_MSG[status]), () => socket.destroy());
});
// CONNECT makes no sense here; without a listener Node drops the connection unanswered.
server.on("connect", (_req, socket) => {
  socket.end(rawEnvelope(405, REFUSAL_MSG[405], { Allow: [...SUPPORTED_METHODS].join(", ") }), () => socket.destroy());
});

server.on("error", (error) => {
  console.error(`xui-panel: cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  console.log(`xui-panel ready on http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port} (${dev ? "development" : "production"})`);
});

/**
 * Requests Next.js cannot take: it answers an unknown method (TRACE …) or a
 * path with broken %-encoding with a 500 or an empty 400, and an absolute-form
 * target with a redirect to the host named in it. They get the envelope here.
 */
function refused(req) {
  if (!SUPPORTED_METHODS.has(req.method)) {
    return { status: 405, msg: REFUSAL_MSG[405], headers: { Allow: [...SUPPORTED_METHODS].join(", ") } };
  }
  if (!req.headers.host) return { status: 400, msg: REFUSAL_MSG[400] };
  const url = req.url ?? "";
  if (!url.startsWith("/")) {
    // absolute-form (RFC 9112 §3.2.2): only its path and query count, the panel is nobody's proxy.
    const absolute = /^https?:\/\//i.test(url) && URL.canParse(url) ? new URL(url) : null;
    if (!absolute) return { status: 400, msg: REFUSAL_MSG[400] };
    req.url = absolute.pathname + absolute.search;
  }
  try {
    decodeURIComponent(req.url.split("?")[0]);
  } catch {
    return { status: 400, msg: REFUSAL_MSG[400] };
  }
  return null;
}

function requestIdOf(req) {
  const incoming = req.headers["x-request-id"];
  const trimmed = typeof incoming === "string" ? incoming.trim() : "";
  return SANE_REQUEST_ID.test(trimmed) ? trimmed : randomUUID();
}

function rawEnvelope(status, msg, headers = {}) {
  const body = JSON.stringify({ success: false, msg, obj: null });
  const all = { ...SECURITY_HEADERS, ...ENVELOPE_HEADERS, "Content-Length": Buffer.byteLength(body), Connection: "close", ...headers };
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join("")}\r\n${body}`;
}

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
