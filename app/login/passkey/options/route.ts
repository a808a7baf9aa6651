import { apiRoute, endpoint } from "@/lib/api/route";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { limitLoginOptions } from "@/lib/passkeys/login";
import { assertionOptions } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.passkeyOptions", async ({ db, config, cookie, ip, now }) => {
    await limitLoginOptions(db, ip, now);
    return assertionOptions(db, { purpose: "login", userId: null, csrfKey: browserKeyOf(cookie) }, config.webauthn, now);
  }),
});
