import { apiRoute, endpoint } from "@/lib/api/route";
import { listTokens } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("tokens.list", ({ db }) => listTokens(db)),
});
