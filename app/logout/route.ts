import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { sessionPolicy } from "@/lib/auth/request-auth";
import { endSession } from "@/lib/auth/sessions";
import { clearedSessionCookie } from "@/lib/http/session-cookie";

export const dynamic = "force-dynamic";

/** Ends the session server-side: the old cookie is worthless afterwards, even if replayed. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.logout", async ({ db, config, cookie, ip, https, now }) => {
    await endSession(db, cookie?.sessionId, { ip }, sessionPolicy(config), now);
    return new Reply(null, "", { "Set-Cookie": clearedSessionCookie(https) });
  }),
});
