import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { WEBHOOK_MSG } from "@/lib/webhooks/schemas";
import { updateWebhook } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("webhooks.update", async ({ db, config, actor, params, body, audit, now }) => {
    const { webhook, changed } = await updateWebhook(db, params.id, body, audit, { allowPrivate: config.webhookAllowPrivate }, now, () =>
      requireRecentAuth(db, actor, now),
    );
    return changed ? webhook : new Reply(webhook, WEBHOOK_MSG.nothingChanged);
  }),
});
