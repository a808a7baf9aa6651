// The panel's HTTP server: Next.js in production mode behind a plain node:http
// server (run with `node --import tsx`, see scripts/node-flags.mjs). The one
// thing `next start` cannot do for us is tell the app the TCP peer's address:
// Next fills X-Forwarded-For from the socket only when the client did not send
// one, so a client could choose its own IP. This server stamps the socket
// address and its request id on every request, under header names nobody else
// may set (lib/http/edge.ts).
import { EventEmitter } from "node:events";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  JSON_HEADERS,
  COOKIE_INTERNAL_HEADER,
  REQUEST_ID_HEADER,
  REQUEST_ID_INTERNAL_HEADER,
  requestIdFor,
  SECURITY_HEADERS,
  SOCKET_ADDRESS_HEADER,
} from "../lib/http/edge";
import { envelopeText } from "../lib/http/envelope";

const dev = process.argv.includes("--dev");
const env = process.env as Record<string, string | undefined>;
env.NODE_ENV ??= dev ? "development" : "production";
env.NEXT_TELEMETRY_DISABLED ??= "1";

const { default: next } = await import("next");

const SUPPORTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const ALLOW = [...SUPPORTED_METHODS].join(", ");
const REFUSAL_MSG: Record<number, string> = {
  400: "bad request",
  405: "method not allowed",
  408: "request timeout",
  431: "request headers are too large",
};
const LOGIN_PATH = /^\/login(\?|$)/;
/** Route handlers only, which read the cookie from COOKIE_INTERNAL_HEADER; pages keep theirs for next/headers. */
const PANEL_API_PREFIX = "/panel/api/";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(env.PORT || 2053);
const host = env.HOST || "0.0.0.0";

// Relative paths (DATABASE_URL=file:data/panel.db, the migrations) are the project's.
process.chdir(root);

// Next attaches a WebSocket `upgrade` listener to the server of the first
// request it sees. The panel serves no WebSockets, and once that listener
// exists Node hands every request carrying `Upgrade:` (curl --http2 sends
// `Upgrade: h2c`) to Next, which closes the connection without an answer.
// Outside dev (HMR needs it) Next gets a stand-in, so Node keeps serving such
// requests as plain HTTP (a server may ignore Upgrade, RFC 9110 §7.8).
const app = next({ dev, dir: root, hostname: host, port, ...(dev ? {} : { httpServer: new EventEmitter() as never }) });
const handle = app.getRequestHandler();

/**
 * The app's start-up (lib/startup.ts: configuration, database, migrations,
 * first admin) runs inside Next's bundle, from instrumentation.ts, a module
 * instance this file cannot import; Next logs a failure there and carries on
 * serving. The app leaves its state on globalThis so that this server can wait
 * for it, stop with the reason if it failed, and run its shutdown hook.
 */
const startup = ((globalThis as Record<symbol, StartupState | undefined>)[Symbol.for("xui-panel.startup")] ??= {});
interface StartupState {
  done?: Promise<void>;
  shutdown?: () => Promise<void>;
}
try {
  await app.prepare();
  // In production prepare() has run register(); dev runs it on its own schedule.
  const deadline = Date.now() + (dev ? 2_000 : 30_000);
  while (!startup.done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (!startup.done) throw new Error("the app's start-up did not run (instrumentation.ts)");
  await startup.done;
} catch (error) {
  console.error(`xui-panel: cannot start: ${messageOf(error)}`);
  process.exit(1);
}

// Node's own check answers a missing Host with a bare 400; refused() does it with the envelope.
const server = createServer({ requireHostHeader: false }, (req, res) => {
  // Every answer carries the security headers and the request id, also the
  // ones refused here and Next's own (405s, redirects); pages and JSON routes
  // replace the CSP with their own.
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  const requestId = requestIdFor(req.headers["x-request-id"] as string | undefined);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  const refusal = refused(req);
  if (refusal) {
    const body = envelopeText(false, REFUSAL_MSG[refusal.status]);
    res.writeHead(refusal.status, { ...JSON_HEADERS, "Content-Length": Buffer.byteLength(body), ...refusal.headers });
    res.end(body);
    return;
  }
  // Overwrite whatever the client sent under these names.
  req.headers[SOCKET_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  req.headers[REQUEST_ID_INTERNAL_HEADER] = requestId;
  delete req.headers[COOKIE_INTERNAL_HEADER];
  if (req.headers.cookie !== undefined && req.url?.startsWith(PANEL_API_PREFIX)) {
    req.headers[COOKIE_INTERNAL_HEADER] = req.headers.cookie;
    delete req.headers.cookie;
  }
  // `GET /login` is the login page and `POST /login` the login API, but one
  // Next path cannot hold both a page and a route handler. Every method but
  // GET and HEAD goes to the API (which answers 405 to all but POST). Routed
  // here, not with a proxy.ts rewrite (which Next performs as a second HTTP
  // request from 127.0.0.1), it keeps the caller's address and saves a hop.
  if (req.method !== "GET" && req.method !== "HEAD" && LOGIN_PATH.test(req.url ?? "")) req.url = req.url!.replace("/login", "/auth/login");
  handle(req, res).catch((error: unknown) => failed(res, requestId, error));
});
/**
 * Lingering close (nginx's lingering_close): after an answer that ends the
 * connection, Node closes the socket at once. If the client is still sending a
 * body the panel did not read (a GET with a body, a 413 past the size limit),
 * the kernel answers its bytes with a reset, which can wipe out the answer
 * before the client has read it. So the panel's side is shut first, and the
 * socket closes when the client closes its side, or after LINGER_MS.
 */
const LINGER_MS = 2_000;
server.on("connection", (socket: Socket) => {
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    if (socket.readableEnded) return void socket.destroy();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("end", () => socket.destroy()).once("close", () => clearTimeout(timer));
    socket.resume();
  };
});
// Slow or stalled clients must not hold connections forever.
server.requestTimeout = 30_000;
server.headersTimeout = 20_000;
server.keepAliveTimeout = 65_000;

// Bytes Node cannot parse as HTTP (an unknown method, a bad header, 16 KiB of
// headers …): Node's default answer is a bare status line without a body or
// security headers. Same decision as Node's (answer only if nothing of a
// response was written yet), with the envelope.
server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: ServerResponse }) => {
  if (error.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  socket.end(rawEnvelope(status), () => socket.destroy());
});
// CONNECT makes no sense here; without a listener Node drops the connection unanswered.
server.on("connect", (_req: IncomingMessage, socket: Socket) => {
  socket.end(rawEnvelope(405, { Allow: ALLOW }), () => socket.destroy());
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
function refused(req: IncomingMessage): { status: number; headers?: Record<string, string> } | null {
  if (!SUPPORTED_METHODS.has(req.method ?? "")) return { status: 405, headers: { Allow: ALLOW } };
  if (!req.headers.host) return { status: 400 };
  const url = req.url ?? "";
  if (!url.startsWith("/")) {
    // absolute-form (RFC 9112 §3.2.2): only its path and query count, the panel is nobody's proxy.
    const absolute = /^https?:\/\//i.test(url) && URL.canParse(url) ? new URL(url) : null;
    if (!absolute) return { status: 400 };
    req.url = absolute.pathname + absolute.search;
  }
  try {
    decodeURIComponent(req.url!.split("?")[0]!);
  } catch {
    return { status: 400 };
  }
  return null;
}

function failed(res: ServerResponse, requestId: string, error: unknown): void {
  console.error(JSON.stringify({ level: "error", msg: "request failed", requestId, error: messageOf(error) }));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, JSON_HEADERS);
  res.end(envelopeText(false, "internal server error"));
}

function rawEnvelope(status: number, headers: Record<string, string> = {}): string {
  const body = envelopeText(false, REFUSAL_MSG[status]);
  const all = { ...SECURITY_HEADERS, ...JSON_HEADERS, "Content-Length": Buffer.byteLength(body), Connection: "close", ...headers };
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join("")}\r\n${body}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  console.log(`xui-panel: ${signal}, shutting down`);
  // Finish in-flight requests, then write the aggregated audit counts still in memory.
  server.close(() => void Promise.resolve(startup.shutdown?.()).catch(() => undefined).then(() => process.exit(0)));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
