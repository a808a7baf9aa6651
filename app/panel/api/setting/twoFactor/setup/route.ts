import { apiRoute, endpoint } from "@/lib/api/route";
import { startTwoFactorSetup, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.setup", async ({ db, actor }) => startTwoFactorSetup(db, await twoFactorAdminOf(db, actor))),
});
