import { randomUUID } from "node:crypto";
import type { Actor } from "@/lib/auth/request-auth";
import { requestLineWriter, type LineFields, type RequestLineWriter } from "@/lib/log";

export const REQUEST_ID_HEADER = "X-Request-Id";
/**
 * An incoming id is kept when it looks like an id (UUID, ULID, a proxy's trace
 * id): short, no spaces or quotes. Anything else is replaced, so a client
 * cannot stuff a log line with junk.
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
    readonly requestId: string,
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

export function startRequestLog(request: Request, route: string): RequestLogEntry {
  const incoming = request.headers.get("x-request-id")?.trim();
  const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  return new RequestLogEntry(requestId, request.method, route, performance.now());
}

/** Stamps the request id on the response and writes the request's one log line. */
export function finishRequestLog(entry: RequestLogEntry, response: Response, write: RequestLineWriter = requestLineWriter()): Response {
  let out = response;
  try {
    out.headers.set(REQUEST_ID_HEADER, entry.requestId);
  } catch {
    // Immutable headers (a Response.redirect(), say): copy the response.
    out = new Response(response.body, response);
    out.headers.set(REQUEST_ID_HEADER, entry.requestId);
  }
  entry.status = out.status;
  entry.durationMs = Math.round((performance.now() - entry.started) * 10) / 10;
  write(out.status >= 500 ? "error" : "info", entry);
  return out;
}
