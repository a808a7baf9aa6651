import { apiRoute, endpoint } from "@/lib/api/route";
import { updateCredentials } from "@/lib/auth/admins";
import { throttlePolicy } from "@/lib/auth/request-auth";
import { serverConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

// No re-authentication window here: the current password this call requires is that confirmation.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("admin.updateUser", ({ db, body, audit, now }) =>
    updateCredentials(db, body, audit, throttlePolicy(serverConfig()), now),
  ),
});
