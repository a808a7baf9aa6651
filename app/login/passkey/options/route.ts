import { apiRoute, endpoint } from "@/lib/api/route";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { assertionOptions } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.passkeyOptions", ({ db, config, cookie, now }) =>
    assertionOptions(db, { purpose: "login", userId: null, csrfKey: browserKeyOf(cookie) }, config.webauthn, now),
  ),
});
