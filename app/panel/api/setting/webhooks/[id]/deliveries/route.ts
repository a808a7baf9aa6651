import { apiRoute, endpoint } from "@/lib/api/route";
import { listDeliveries } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("webhooks.deliveries", ({ db, params }) => listDeliveries(db, params.id)),
});
