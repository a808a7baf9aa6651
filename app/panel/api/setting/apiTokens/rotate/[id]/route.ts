import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { rotateToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.rotate", ({ db, actor, params, body, audit, now }) =>
    rotateToken(db, params.id, body, audit, now, async (token) => {
      if (token.scope === "admin") await requireRecentAuth(db, actor, now);
    }),
  ),
});
