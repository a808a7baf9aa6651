import { apiRoute, endpoint } from "@/lib/api/route";
import { auditExport } from "@/lib/audit/export";
import { listAuditEvents } from "@/lib/audit/query";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("audit.list", ({ db, query, now }) =>
    query.format ? auditExport(db, query, query.format, now) : listAuditEvents(db, query),
  ),
});
