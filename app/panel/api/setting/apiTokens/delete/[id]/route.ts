import { apiRoute, endpoint } from "@/lib/api/route";
import { deleteToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.delete", ({ db, params, body, audit, now }) =>
    deleteToken(db, { id: params.id, expectedScope: body.expectedScope }, audit, now),
  ),
});
