import { apiRoute, endpoint } from "@/lib/api/route";
import { createToken } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.create", ({ db, body, audit, now }) => createToken(db, body, audit, now)),
});
