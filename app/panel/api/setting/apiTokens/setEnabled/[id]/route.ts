import { apiRoute, endpoint } from "@/lib/api/route";
import { setTokenEnabled } from "@/lib/tokens/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("tokens.setEnabled", ({ db, params, body, audit, now }) =>
    setTokenEnabled(db, { id: params.id, enabled: body.enabled, expectedScope: body.expectedScope }, audit, now),
  ),
});
