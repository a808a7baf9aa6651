import { apiRoute, endpoint } from "@/lib/api/route";
import { listSessions } from "@/lib/auth/active-sessions";
import { sessionPolicy } from "@/lib/auth/request-auth";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("sessions.list", ({ db, actor, config, now }) => listSessions(db, actor, sessionPolicy(config), now)),
});
