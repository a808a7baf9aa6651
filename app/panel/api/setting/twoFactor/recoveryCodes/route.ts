import { apiRoute, endpoint } from "@/lib/api/route";
import { regenerateRecoveryCodes, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.recoveryCodes", async ({ db, actor, body, audit, now }) =>
    regenerateRecoveryCodes(db, await twoFactorAdminOf(db, actor), body.code, audit, now),
  ),
});
