import { ZodError } from "zod";
import { DomainError, HttpError } from "@/lib/errors";
import { fail, jsonTextResponse, type Envelope } from "@/lib/http/envelope";
import { logError } from "@/lib/log";

export const AUTH_MSG = {
  unauthorized: "unauthorized",
  notFound: "not found",
  scopeDenied: "this API token is not permitted to access this endpoint",
  bearerThrottled: "too many failed token attempts from this address; try again in a minute",
  csrf: "invalid or missing CSRF token",
  methodNotAllowed: "method not allowed",
  internal: "internal server error",
} as const;

/** The first human-readable problem in a zod error (our schemas carry the contract's texts). */
export function firstIssueMessage(error: ZodError): string {
  return error.issues[0]?.message ?? "invalid request";
}

/**
 * The one place where failures become HTTP. Domain and validation errors are
 * 200 + `success:false` (3x-ui clients only read `success`); anything
 * unexpected is logged and answered with a bare 500, never a stack trace.
 */
export function errorResponse(error: unknown, context: { method: string; route: string; requestId?: string }): Response {
  if (error instanceof DomainError) return fail(error.message);
  if (error instanceof ZodError) return fail(firstIssueMessage(error));
  if (error instanceof HttpError) return fail(error.message, error.status, error.headers);
  logError("unhandled error", error, context);
  return fail(AUTH_MSG.internal, 500);
}

/** Serialized once: the answer to every request of a flood of bad tokens. */
const UNAUTHORIZED_BODY = JSON.stringify({ success: false, msg: AUTH_MSG.unauthorized } satisfies Envelope);

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
