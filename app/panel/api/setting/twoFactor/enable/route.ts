import { apiRoute, endpoint } from "@/lib/api/route";
import { enableTwoFactor, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.enable", async ({ db, actor, body, audit, now }) =>
    enableTwoFactor(db, await twoFactorAdminOf(db, actor), body.code, audit, now),
  ),
});
