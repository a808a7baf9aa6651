import { allowedEndpoints } from "@/lib/api/permissions";
import { apiRoute, endpoint } from "@/lib/api/route";
import { HttpError } from "@/lib/errors";
import { getToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("tokens.self", async ({ db, actor, now }) => {
    if (actor.kind !== "token") throw new HttpError(400, SELF_MSG.notToken);
    const token = await getToken(db, actor.tokenId, now);
    return { ...token, endpoints: allowedEndpoints(token.scope) };
  }),
});

const SELF_MSG = { notToken: "this route describes the API token that calls it: send one as Authorization: Bearer <token>" };
