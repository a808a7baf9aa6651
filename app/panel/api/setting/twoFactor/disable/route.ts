import { apiRoute, endpoint } from "@/lib/api/route";
import { throttlePolicy } from "@/lib/auth/request-auth";
import { disableTwoFactor, twoFactorAdminOf } from "@/lib/auth/two-factor";

export const dynamic = "force-dynamic";

// The code this call requires is its confirmation: asking for another one first would spend the
// same time step, and the code sent with the change would then be refused as a replay.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("twoFactor.disable", async ({ db, actor, body, audit, config, now }) => {
    const keep = actor.kind === "session" ? actor.sessionHash : null;
    await disableTwoFactor(db, await twoFactorAdminOf(db, actor), body.code, keep, audit, throttlePolicy(config), now);
  }),
});
