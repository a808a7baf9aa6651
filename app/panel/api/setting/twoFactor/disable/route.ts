import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { disableTwoFactor, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.disable", async ({ db, actor, body, audit, now }) => {
    await requireRecentAuth(db, actor, now);
    const keep = actor.kind === "session" ? actor.sessionHash : null;
    await disableTwoFactor(db, await twoFactorAdminOf(db, actor), body.code, keep, audit, now);
  }),
});
