import { randomUUID } from "node:crypto";
import type { Actor } from "@/lib/auth/request-auth";
import { requestLineWriter, type LineFields, type RequestLineWriter } from "@/lib/log";

export const REQUEST_ID_HEADER = "X-Request-Id";
/**
 * The id scripts/server.mjs has already answered with (it sets X-Request-Id on
 * every response itself, and overwrites whatever a client sends under this name).
 */
export const EDGE_REQUEST_ID_HEADER = "x-xui-request-id";
/**
 * An incoming id is kept when it looks like an id (UUID, ULID, a proxy's trace
 * id): short, no spaces or quotes. Anything else is replaced, so a client
 * cannot stuff a log line with junk. Decided by scripts/server.mjs (the same
 * pattern) for every request it serves; here only when there is no such server.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:+=/-]{1,128}$/;

/** The caller as log fields: ids and names only, never a credential or a session id. */
export type LoggedActor = { type: "token"; tokenId: number; tokenName: string } | { type: "session"; username: string };

export function loggedActor(actor: Actor): LoggedActor {
  return actor.kind === "token"
    ? { type: "token", tokenId: actor.tokenId, tokenName: actor.tokenName }
    : { type: "session", username: actor.username };
}

/**
 * One request in flight; the wrappers fill in `ip` and `actor` as they learn
 * them, finishRequestLog() the outcome. It is also the request line's fields:
 * on the batched stdout the line is serialized only when its batch is written
 * (lib/log.ts), by which time the entry no longer changes.
 */
export class RequestLogEntry implements LineFields {
  ip = "unknown";
  actor: LoggedActor | null = null;
  status = 0;
  durationMs = 0;

  constructor(
    /** The line's level on success (health checks log at debug). */
    readonly level: "info" | "debug",
    readonly requestId: string,
    /** False when scripts/server.mjs set X-Request-Id already; else finishRequestLog() adds it. */
    readonly stampResponse: boolean,
    readonly method: string,
    /** The route pattern (`/panel/api/setting/apiTokens/delete/{id}`), never the raw URL or its query. */
    readonly route: string,
    readonly started: number,
  ) {}

  /**
   * Every field is named here: the request, its headers and its body are never
   * handed to the logger, so credentials cannot reach the log. Strings a client
   * influences go through JSON.stringify; the request id needs no escaping (it
   * is ours, or it matched SANE_REQUEST_ID).
   */
  serialize(): string {
    return (
      `"requestId":"${this.requestId}","method":${JSON.stringify(this.method)},"route":${JSON.stringify(this.route)},` +
      `"status":${this.status},"durationMs":${this.durationMs},"actor":${JSON.stringify(this.actor)},"ip":${JSON.stringify(this.ip)}`
    );
  }
}

export function startRequestLog(request: Request, route: string, level: "info" | "debug" = "info"): RequestLogEntry {
  const headers = request.headers;
  // Checked again: the id goes into the log line unescaped.
  const edge = headers.get(EDGE_REQUEST_ID_HEADER);
  if (edge && SANE_REQUEST_ID.test(edge)) return new RequestLogEntry(level, edge, false, request.method, route, performance.now());
  // Not behind scripts/server.mjs (a test calling the handler): the same choice, made here.
  const incoming = headers.get("x-request-id")?.trim();
  const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  return new RequestLogEntry(level, requestId, true, request.method, route, performance.now());
}

/** Writes the request's one log line, and stamps the request id on the response unless the server has. */
export function finishRequestLog(entry: RequestLogEntry, response: Response, write: RequestLineWriter = requestLineWriter()): Response {
  let out = response;
  if (entry.stampResponse) {
    try {
      out.headers.set(REQUEST_ID_HEADER, entry.requestId);
    } catch {
      // Immutable headers (a Response.redirect(), say): copy the response.
      out = new Response(response.body, response);
      out.headers.set(REQUEST_ID_HEADER, entry.requestId);
    }
  }
  entry.status = out.status;
  entry.durationMs = Math.round((performance.now() - entry.started) * 10) / 10;
  write(out.status >= 500 ? "error" : entry.level, entry);
  return out;
}
