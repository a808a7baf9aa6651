import { apiRoute, endpoint } from "@/lib/api/route";
import { signedInReply } from "@/lib/api/signed-in";
import { sessionPolicy, throttlePolicy } from "@/lib/auth/request-auth";
import { browserKeyOf } from "@/lib/passkeys/browser";
import { passkeyLogin } from "@/lib/passkeys/login";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.passkeyLogin", async (ctx) => {
    const { db, body, config, cookie, ip, now, request } = ctx;
    const result = await passkeyLogin(
      db,
      body,
      { ip, userAgent: request.headers.get("user-agent") ?? "", csrfKey: browserKeyOf(cookie), replacing: cookie?.sessionId },
      { ...sessionPolicy(config), ...throttlePolicy(config) },
      config.webauthn,
      now,
    );
    return signedInReply(result, ctx);
  }),
});
