import { methodNotAllowed, publicRoute } from "@/lib/api/public-route";
import { AUTH_MSG } from "@/lib/api/respond";
import { login, loginBody, LOGIN_MSG } from "@/lib/auth/login";
import { sessionPolicy, throttlePolicy } from "@/lib/auth/request-auth";
import { isValidCsrfToken } from "@/lib/auth/secrets";
import { deleteSession } from "@/lib/auth/sessions";
import { readLoginBody } from "@/lib/http/body";
import { fail, ok } from "@/lib/http/envelope";
import { readCookie, SESSION_COOKIE, sessionCookie } from "@/lib/http/session-cookie";

export const dynamic = "force-dynamic";

/** `POST /login` (scripts/server.mjs routes it here: /login itself is the login page). */
export const POST = publicRoute("auth.login", async (request, { db, config, ip, https, now, identify }) => {
  const previous = readCookie(request.headers, SESSION_COOKIE);
  if (!previous || !isValidCsrfToken(previous, request.headers.get("x-csrf-token"))) return fail(AUTH_MSG.csrf, 403);

  const input = loginBody.parse(await readLoginBody(request));
  const result = await login(
    db,
    input,
    { ip, userAgent: request.headers.get("user-agent") ?? "" },
    { ...sessionPolicy(config), ...throttlePolicy(config) },
    now,
  );
  identify({ type: "session", username: result.username });
  // Logging in again from a signed-in browser retires the old session.
  await deleteSession(db, previous);
  return ok(undefined, LOGIN_MSG.success, {
    "Set-Cookie": sessionCookie(result.sessionId, https, Math.floor(config.sessionMaxMs / 1000)),
  });
});

// Every other method: the envelope with 405, not Next's empty default.
const notAllowed = methodNotAllowed("POST, OPTIONS");
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
