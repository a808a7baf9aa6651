import { randomUUID } from "node:crypto";
import type { Actor } from "@/lib/auth/request-auth";
import { REQUEST_ID_HEADER, REQUEST_ID_INTERNAL_HEADER } from "@/lib/http/edge";
import { requestLogger } from "@/lib/log";

/** The caller as log fields: ids and names only, never a credential or a session id. */
export type LoggedActor = { type: "token"; tokenId: number; tokenName: string } | { type: "session"; username: string };

export function loggedActor(actor: Actor): LoggedActor {
  return actor.kind === "token"
    ? { type: "token", tokenId: actor.tokenId, tokenName: actor.tokenName }
    : { type: "session", username: actor.username };
}

/** One request in flight; the pipeline fills in `ip` and `actor` as it learns them, finishRequestLog() the outcome. */
export interface RequestLogEntry {
  /** The line's level on success (health checks log at debug); 5xx answers log at error. */
  level: "info" | "debug";
  /** The server's id for this request (scripts/server.mts assigns it and sets the response header). */
  requestId: string;
  /** Whether the response still needs the X-Request-Id header: only without our server in front (unit tests). */
  stampResponse: boolean;
  method: string;
  /** The route pattern (`/panel/api/setting/apiTokens/delete/{id}`), never the raw URL or its query. */
  route: string;
  started: number;
  ip: string;
  actor: LoggedActor | null;
  /** The body is written while it is sent (lib/streamed.ts): the line waits for its end. */
  streamed?: boolean;
}

export function startRequestLog(request: Request, route: string, level: "info" | "debug" = "info"): RequestLogEntry {
  const assigned = request.headers.get(REQUEST_ID_INTERNAL_HEADER);
  return {
    level,
    requestId: assigned ?? randomUUID(),
    stampResponse: assigned === null,
    method: request.method,
    route,
    started: performance.now(),
    ip: "unknown",
    actor: null,
  };
}

/**
 * Writes the request's one log line. Every field is named here: the request,
 * its headers and its body never reach the logger, so credentials cannot.
 * A streamed body is logged once it has been sent, or cut short, with its
 * size: its duration is the transfer's, not the first byte's.
 */
export function finishRequestLog(entry: RequestLogEntry, response: Response, log = requestLogger()): Response {
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
  const write = (extra: { bytes?: number; aborted?: true } = {}, failed = false) => {
    const fields = {
      requestId: entry.requestId,
      method: entry.method,
      route: entry.route,
      status: out.status,
      durationMs: Math.round((performance.now() - entry.started) * 10) / 10,
      actor: entry.actor,
      ip: entry.ip,
      ...extra,
    };
    log[failed || out.status >= 500 ? "error" : entry.level](fields, "request");
  };
  if (!entry.streamed || !out.body) {
    write();
    return out;
  }
  return new Response(countedBody(out.body, write), out);
}

/** `body` as it is, calling `done` exactly once: at its end, when the client goes away, or when it fails. */
function countedBody(
  body: ReadableStream<Uint8Array>,
  done: (extra: { bytes: number; aborted?: true }, failed?: boolean) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let bytes = 0;
  let finished = false;
  const finish = (aborted: boolean, failed = false) => {
    if (finished) return false;
    finished = true;
    done(aborted ? { bytes, aborted: true } : { bytes }, failed);
    return true;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (finish(true, true)) controller.error(error);
          return;
        }
        // Cancelled while the read was pending: cancel() has logged and closed it.
        if (finished) return;
        if (chunk.done) {
          finish(false);
          controller.close();
        } else {
          bytes += chunk.value.byteLength;
          controller.enqueue(chunk.value);
        }
      },
      async cancel(reason) {
        finish(true);
        await reader.cancel(reason);
      },
    },
    // No buffer of its own: the producer still makes a part only when the client has taken the last.
    { highWaterMark: 0 },
  );
}
