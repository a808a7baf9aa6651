import { apiRoute, endpoint } from "@/lib/api/route";
import { throttlePolicy } from "@/lib/auth/request-auth";
import { regenerateRecoveryCodes, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

// The code this call requires is its confirmation (no re-authentication window needed).
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.recoveryCodes", async ({ db, actor, body, audit, config, now }) =>
    regenerateRecoveryCodes(db, await twoFactorAdminOf(db, actor), body.code, audit, throttlePolicy(config), now),
  ),
});
