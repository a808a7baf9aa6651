import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { registerPasskey, sessionOnly } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("passkeys.register", async ({ db, actor, body, config, cookie, audit, now }) => {
    const admin = sessionOnly(actor);
    await requireRecentAuth(db, actor, now);
    return registerPasskey(
      db,
      admin,
      { name: body.name, response: body.response as RegistrationResponseJSON },
      { csrfKey: browserKeyOf(cookie), webauthn: config.webauthn, audit, now },
    );
  }),
});
