import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { MSG } from "@/lib/tokens/schemas";
import { updateToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.update", async ({ db, params, body, audit, now }) => {
    const { view, changed } = await updateToken(db, params.id, body, audit, now);
    return changed ? view : new Reply(view, MSG.nothingChanged);
  }),
});
