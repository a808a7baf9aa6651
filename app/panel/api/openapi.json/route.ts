import { openApiDocument } from "@/lib/api/openapi";
import { apiRoute, endpoint } from "@/lib/api/route";
import { jsonResponse } from "@/lib/http/envelope";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("meta.openapi", () => jsonResponse(openApiDocument())),
});
