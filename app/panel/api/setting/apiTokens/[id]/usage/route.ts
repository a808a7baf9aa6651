import { tokenUsageReportOf } from "@/lib/api/least-privilege";
import { apiRoute, endpoint } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("tokens.usage", ({ db, params, query, now }) => tokenUsageReportOf(db, params.id, query.days, now)),
});
