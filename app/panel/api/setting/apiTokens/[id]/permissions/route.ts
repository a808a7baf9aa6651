import { allowedEndpoints } from "@/lib/api/permissions";
import { apiRoute, endpoint } from "@/lib/api/route";
import { getToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("tokens.permissions", async ({ db, params, now }) => {
    const token = await getToken(db, params.id, now);
    return { id: token.id, name: token.name, scope: token.scope, endpoints: allowedEndpoints(token.scope) };
  }),
});
