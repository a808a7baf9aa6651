import { apiRoute, endpoint } from "@/lib/api/route";
import { sendTestDelivery } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("webhooks.test", ({ db, params, audit, now }) => sendTestDelivery(db, params.id, audit, now)),
});
