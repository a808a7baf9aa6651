import { apiRoute, endpoint } from "@/lib/api/route";
import { removePasskey } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("passkeys.delete", ({ db, actor, params, audit, now }) => removePasskey(db, actor, params.id, audit, now)),
});
