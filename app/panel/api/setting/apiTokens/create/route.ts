import { apiRoute, endpoint } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { createToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.create", async ({ db, actor, body, audit, now }) => {
    // Minting full admin power from a browser asks for a recent confirmation ("sudo mode").
    if (body.scope === "admin") await requireRecentAuth(db, actor, now);
    return createToken(db, body, audit, now);
  }),
});
