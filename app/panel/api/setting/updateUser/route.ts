import { apiRoute, endpoint } from "@/lib/api/route";
import { updateCredentials } from "@/lib/auth/admins";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { throttlePolicy } from "@/lib/auth/request-auth";
import { serverConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("admin.updateUser", async ({ db, actor, body, audit, now }) => {
    await requireRecentAuth(db, actor, now);
    return updateCredentials(db, body, audit, throttlePolicy(serverConfig()), now);
  }),
});
