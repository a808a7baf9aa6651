import { apiRoute, endpoint } from "@/lib/api/route";
import { currentServerStatus } from "@/lib/server-status/snapshot";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("server.status", ({ now }) => currentServerStatus(now)),
});
