import { ZodError } from "zod";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { noteUnavailable } from "@/lib/db/outage";
import { DomainError, HttpError } from "@/lib/errors";
import { envelopeText, fail, jsonTextResponse } from "@/lib/http/envelope";
import { logError } from "@/lib/log";

/** On every answer to an expiring bearer token: its expiry, Unix ms (GitHub's GitHub-Authentication-Token-Expiration). */
export const TOKEN_EXPIRES_HEADER = "X-Token-Expires-At";
/** On a scope denial: the token scopes that would pass (GitHub's X-Accepted-GitHub-Permissions). */
export const ACCEPTED_SCOPES_HEADER = "X-Accepted-Scopes";

export const AUTH_MSG = {
  unauthorized: "unauthorized",
  notFound: "not found",
  scopeDenied: "this API token is not permitted to access this endpoint",
  bearerThrottled: "too many failed token attempts from this address; try again in a minute",
  csrf: "invalid or missing CSRF token",
  methodNotAllowed: "method not allowed",
  internal: "internal server error",
  databaseUnavailable: "the panel cannot reach its database right now; try again in a few seconds",
} as const;

/** Seconds a client is asked to wait after a 503 for an unreachable database: short, as the first request after it returns succeeds. */
export const DATABASE_RETRY_AFTER_S = 2;

/**
 * Whether a failure answers 400 rather than the peer's 200: on endpoints that
 * say so, and for a bad value of a field this panel added to a peer endpoint
 * (`badRequestFields`: a 3x-ui client never sends those, so nothing it reads changes).
 */
export function isBadRequest(spec: { badRequestStatus?: boolean; badRequestFields?: readonly string[] }, error: unknown): boolean {
  if (spec.badRequestStatus) return true;
  if (!(error instanceof ZodError) || !spec.badRequestFields) return false;
  const field = error.issues[0]?.path[0];
  return typeof field === "string" && spec.badRequestFields.includes(field);
}

/** The first human-readable problem in a zod error (our schemas carry the contract's texts). */
export function firstIssueMessage(error: ZodError): string {
  return error.issues[0]?.message ?? "invalid request";
}

/**
 * The one place where failures become HTTP. Domain and validation errors are
 * 200 + `success:false` (3x-ui clients only read `success`), or 400 where the
 * endpoint says so; an unreachable database is 503 with Retry-After (logged
 * once per outage, not per request); anything unexpected is logged and
 * answered with a bare 500, never a stack trace.
 */
export function errorResponse(
  error: unknown,
  context: { method: string; route: string; requestId?: string; badRequestStatus?: boolean },
): Response {
  const invalid = context.badRequestStatus ? 400 : 200;
  if (error instanceof DomainError) return fail(error.message, invalid);
  if (error instanceof ZodError) return fail(firstIssueMessage(error), invalid);
  if (error instanceof HttpError) return fail(error.message, error.status, error.headers);
  if (isDatabaseUnavailable(error)) {
    noteUnavailable("requests", error);
    return fail(AUTH_MSG.databaseUnavailable, 503, { "Retry-After": String(DATABASE_RETRY_AFTER_S) });
  }
  const { badRequestStatus: _, ...where } = context;
  logError("unhandled error", error, where);
  return fail(AUTH_MSG.internal, 500);
}

/** Serialized once: the answer to every request of a flood of bad tokens. */
const UNAUTHORIZED_BODY = envelopeText(false, AUTH_MSG.unauthorized);

/**
 * Unauthenticated `/panel/api` request: 401 for API clients (XHR or any bearer
 * header), 404 for everything else so scanners cannot tell a panel is here.
 */
export function unauthenticatedResponse(headers: Headers, bearerPresented: boolean): Response {
  if (bearerPresented || headers.get("x-requested-with")?.toLowerCase() === "xmlhttprequest") {
    return jsonTextResponse(UNAUTHORIZED_BODY, 401, { "WWW-Authenticate": 'Bearer realm="xui-panel"' });
  }
  return fail(AUTH_MSG.notFound, 404);
}
