import { apiRoute, endpoint } from "@/lib/api/route";
import { createToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.create", ({ db, body, now }) => createToken(db, body, now)),
});
