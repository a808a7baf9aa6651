import { methodNotAllowed, publicRoute } from "@/lib/api/public-route";
import { AUTH_MSG } from "@/lib/api/respond";
import { isValidCsrfToken, isWellFormedSessionId } from "@/lib/auth/secrets";
import { sessionPolicy } from "@/lib/auth/request-auth";
import { endSession } from "@/lib/auth/sessions";
import { fail, ok } from "@/lib/http/envelope";
import { clearedSessionCookie, readCookie, SESSION_COOKIE } from "@/lib/http/session-cookie";

export const dynamic = "force-dynamic";

/** Ends the session server-side: the old cookie is worthless afterwards, even if replayed. */
export const POST = publicRoute("auth.logout", async (request, { db, config, ip, https, now }) => {
  const cookie = readCookie(request.headers, SESSION_COOKIE);
  if (isWellFormedSessionId(cookie)) {
    // CSRF: a third-party page must not be able to sign the admin out.
    if (!isValidCsrfToken(cookie, request.headers.get("x-csrf-token"))) return fail(AUTH_MSG.csrf, 403);
    await endSession(db, cookie, { ip }, sessionPolicy(config), now);
  }
  return ok(undefined, "Logged out", { "Set-Cookie": clearedSessionCookie(https) });
});

// Every other method: the envelope with 405, not Next's empty default.
const notAllowed = methodNotAllowed("POST, OPTIONS");
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
