import { apiRoute, endpoint } from "@/lib/api/route";
import { renamePasskey } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("passkeys.update", ({ db, actor, params, body, audit, now }) => renamePasskey(db, actor, params.id, body.name, audit, now)),
});
