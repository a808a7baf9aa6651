import { apiRoute, endpoint } from "@/lib/api/route";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { assertionOptions, sessionOnly } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("passkeys.reauthOptions", ({ db, actor, config, cookie, now }) =>
    assertionOptions(db, { purpose: "reauth", userId: sessionOnly(actor).userId, csrfKey: browserKeyOf(cookie) }, config.webauthn, now),
  ),
});
