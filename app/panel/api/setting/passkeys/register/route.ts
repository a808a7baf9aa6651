import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { apiRoute, endpoint } from "@/lib/api/route";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { registerPasskey, sessionOnly } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("passkeys.register", ({ db, actor, body, config, cookie, audit, now }) =>
    registerPasskey(
      db,
      sessionOnly(actor),
      { name: body.name, response: body.response as RegistrationResponseJSON },
      { csrfKey: browserKeyOf(cookie), webauthn: config.webauthn, audit, now },
    ),
  ),
});
