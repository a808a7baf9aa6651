import { apiRoute, endpoint } from "@/lib/api/route";
import { listAuditEvents } from "@/lib/audit/query";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("audit.list", ({ db, query }) => listAuditEvents(db, query)),
});
