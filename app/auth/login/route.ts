import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { login, LOGIN_MSG } from "@/lib/auth/login";
import { sessionPolicy, throttlePolicy } from "@/lib/auth/request-auth";
import { newRandomId } from "@/lib/auth/secrets";
import { sessionCookie } from "@/lib/http/session-cookie";

export const dynamic = "force-dynamic";

/** `POST /login` (scripts/server.mts routes it here: /login itself is the login page). */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.login", async ({ db, body, config, cookie, ip, https, now, request, identify }) => {
    const result = await login(
      db,
      body,
      // Logging in again from a signed-in browser retires the old session.
      { ip, userAgent: request.headers.get("user-agent") ?? "", replacing: cookie?.sessionId },
      { ...sessionPolicy(config), ...throttlePolicy(config) },
      now,
    );
    identify({ type: "session", username: result.username });
    // The browser keeps its CSRF key (the token it fetched before login stays valid). Only a caller
    // that sent a bearer token instead of a CSRF token comes without one, and gets a new key.
    const csrfKey = cookie?.csrfKey ?? newRandomId();
    return new Reply(null, LOGIN_MSG.success, {
      "Set-Cookie": sessionCookie({ csrfKey, sessionId: result.sessionId }, https, Math.floor(config.sessionMaxMs / 1000)),
    });
  }),
});
