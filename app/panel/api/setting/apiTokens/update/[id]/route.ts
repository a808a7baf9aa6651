import { apiRoute, endpoint } from "@/lib/api/route";
import { updateToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.update", ({ db, params, body, audit, now }) => updateToken(db, params.id, body, audit, now)),
});
