import { methodNotAllowed, publicRoute } from "@/lib/api/public-route";
import { csrfTokenFor, isWellFormedSessionId, newSessionId } from "@/lib/auth/secrets";
import { ok } from "@/lib/http/envelope";
import { readCookie, SESSION_COOKIE, sessionCookie } from "@/lib/http/session-cookie";

export const dynamic = "force-dynamic";

/**
 * The CSRF token for this browser. A browser without a session cookie gets an
 * anonymous one (not stored anywhere) so the login form can be protected too;
 * login replaces it with a fresh session id.
 */
export const GET = publicRoute("auth.csrfToken", async (request, { https }) => {
  const existing = readCookie(request.headers, SESSION_COOKIE);
  if (isWellFormedSessionId(existing)) return ok(csrfTokenFor(existing));
  const anonymous = newSessionId();
  return ok(csrfTokenFor(anonymous), undefined, { "Set-Cookie": sessionCookie(anonymous, https) });
});

// Every other method: the envelope with 405, not Next's empty default.
const notAllowed = methodNotAllowed("GET, HEAD, OPTIONS");
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
