import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { csrfTokenFor, newRandomId } from "@/lib/auth/secrets";
import { sessionCookie } from "@/lib/http/session-cookie";

export const dynamic = "force-dynamic";

/**
 * The CSRF token for this browser. A browser without our cookie gets one
 * (a CSRF key, no session: nothing is stored) so the login form is protected
 * too; login adds a fresh session id to it and keeps the key.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("auth.csrfToken", ({ cookie, https }) => {
    if (cookie) return csrfTokenFor(cookie.csrfKey);
    const csrfKey = newRandomId();
    return new Reply(csrfTokenFor(csrfKey), "", { "Set-Cookie": sessionCookie({ csrfKey, sessionId: null }, https) });
  }),
});
