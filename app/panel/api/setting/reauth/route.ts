import { apiRoute, endpoint } from "@/lib/api/route";
import { reauthenticate } from "@/lib/auth/reauth-check";
import { throttlePolicy } from "@/lib/auth/request-auth";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("auth.reauth", ({ db, actor, body, audit, config, now }) =>
    reauthenticate(db, actor, body, audit, throttlePolicy(config), now),
  ),
});
