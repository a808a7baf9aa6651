import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { startTwoFactorSetup, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

// A new second factor is a new way in: a stolen session must not be able to add its own.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.setup", async ({ db, actor, now }) => {
    await requireRecentAuth(db, actor, now);
    return startTwoFactorSetup(db, await twoFactorAdminOf(db, actor));
  }),
});
