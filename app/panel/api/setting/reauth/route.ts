import { apiRoute, endpoint } from "@/lib/api/route";
import { reauthenticate } from "@/lib/reauth/confirm";
import { throttlePolicy } from "@/lib/auth/request-auth";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.reauth", ({ db, actor, body, audit, config, cookie, now }) =>
    reauthenticate(db, actor, body, { ...audit, browserKey: cookie?.csrfKey ?? null, webauthn: config.webauthn }, throttlePolicy(config), now),
  ),
});
