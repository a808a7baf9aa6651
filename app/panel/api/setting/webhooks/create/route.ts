import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { createWebhook } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("webhooks.create", async ({ db, config, actor, body, audit, now }) => {
    // Where the panel's security events go: "sudo mode", as for minting an admin token.
    await requireRecentAuth(db, actor, now);
    return createWebhook(db, body, audit, { allowPrivate: config.webhookAllowPrivate }, now);
  }),
});
