import { apiRoute, endpoint } from "@/lib/api/route";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { registrationOptions, sessionOnly } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("passkeys.registerOptions", ({ db, actor, config, cookie, now }) =>
    registrationOptions(db, sessionOnly(actor), browserKeyOf(cookie), config.webauthn, now),
  ),
});
