import { apiRoute, endpoint } from "@/lib/api/route";
import { listPasskeys } from "@/lib/passkeys/service";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("passkeys.list", ({ db, actor }) => listPasskeys(db, actor)),
});
