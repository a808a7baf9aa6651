import { apiRoute, endpoint } from "@/lib/api/route";
import { deleteWebhook } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("webhooks.delete", ({ db, params, audit, now }) => deleteWebhook(db, params.id, audit, now)),
});
