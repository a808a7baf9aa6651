import { apiRoute, endpoint } from "@/lib/api/route";
import { listWebhooks } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("webhooks.list", ({ db }) => listWebhooks(db)),
});
