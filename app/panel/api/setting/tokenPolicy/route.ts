import { apiRoute, endpoint } from "@/lib/api/route";
import { tokenPolicyStatus } from "@/lib/tokens/policy";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("policy.get", ({ db, now }) => tokenPolicyStatus(db, now)),
});
