import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { registrationOptions, sessionOnly } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

// A new passkey is a new way in (it outlives a password change): a stolen session must not add one.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("passkeys.registerOptions", async ({ db, actor, config, cookie, now }) => {
    const admin = sessionOnly(actor);
    await requireRecentAuth(db, actor, now);
    return registrationOptions(db, admin, browserKeyOf(cookie), config.webauthn, now);
  }),
});
