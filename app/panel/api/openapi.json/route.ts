import { openApiDocument } from "@/lib/api/openapi";
import { apiRoute, endpoint } from "@/lib/api/route";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("meta.openapi", () => openApiDocument() as never),
});
