import { apiRoute, endpoint } from "@/lib/api/route";
import { signedInReply } from "@/lib/api/signed-in";
import { login } from "@/lib/auth/login";
import { sessionPolicy, throttlePolicy } from "@/lib/auth/request-auth";

export const dynamic = "force-dynamic";

/** `POST /login` (scripts/server.mts routes it here: /login itself is the login page). */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.login", async (ctx) => {
    const { db, body, config, cookie, ip, now, request } = ctx;
    const result = await login(
      db,
      body,
      // Logging in again from a signed-in browser retires the old session.
      { ip, userAgent: request.headers.get("user-agent") ?? "", replacing: cookie?.sessionId },
      { ...sessionPolicy(config), ...throttlePolicy(config) },
      now,
    );
    return signedInReply(result, ctx);
  }),
});
