import { apiRoute, endpoint } from "@/lib/api/route";
import { revokeSession } from "@/lib/auth/active-sessions";
import { sessionPolicy } from "@/lib/auth/request-auth";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("sessions.revoke", ({ db, actor, params, audit, config, now }) =>
    revokeSession(db, actor, params.id, audit, sessionPolicy(config), now),
  ),
});
