import { apiRoute, endpoint } from "@/lib/api/route";
import { rotateToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.rotate", ({ db, params, body, audit, now }) => rotateToken(db, params.id, body, audit, now)),
});
