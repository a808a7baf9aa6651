import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { rotateWebhookSecret } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("webhooks.rotateSecret", async ({ db, actor, params, audit, now }) => {
    await requireRecentAuth(db, actor, now);
    return rotateWebhookSecret(db, params.id, audit, now);
  }),
});
