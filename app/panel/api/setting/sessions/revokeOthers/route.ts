import { apiRoute, endpoint } from "@/lib/api/route";
import { revokeOtherSessions } from "@/lib/auth/active-sessions";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("sessions.revokeOthers", async ({ db, actor, audit, now }) => ({
    revoked: await revokeOtherSessions(db, actor, audit, now),
  })),
});
