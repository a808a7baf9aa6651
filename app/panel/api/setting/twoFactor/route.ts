import { apiRoute, endpoint } from "@/lib/api/route";
import { twoFactorAdminOf, twoFactorStatus } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("twoFactor.status", async ({ db, actor }) => twoFactorStatus(db, await twoFactorAdminOf(db, actor))),
});
