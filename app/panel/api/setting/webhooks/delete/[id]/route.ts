import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { deleteWebhook } from "@/lib/webhooks/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("webhooks.delete", async ({ db, actor, params, audit, now }) => {
    // Silencing the alarms is what a stolen session would do first: "sudo mode".
    await requireRecentAuth(db, actor, now);
    await deleteWebhook(db, params.id, audit, now);
  }),
});
