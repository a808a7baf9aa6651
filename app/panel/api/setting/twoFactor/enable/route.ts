import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { enableTwoFactor, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.enable", async ({ db, actor, body, audit, now }) => {
    await requireRecentAuth(db, actor, now);
    return enableTwoFactor(db, await twoFactorAdminOf(db, actor), body.code, audit, now);
  }),
});
