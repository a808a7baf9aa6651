import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { MSG } from "@/lib/tokens/schemas";
import { updateToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.update", async ({ db, actor, params, body, audit, now }) => {
    // Widening to admin is minting admin power: "sudo mode", as for create and rotate.
    const { view, changed } = await updateToken(db, params.id, body, audit, now, () => requireRecentAuth(db, actor, now));
    return changed ? view : new Reply(view, MSG.nothingChanged);
  }),
});
