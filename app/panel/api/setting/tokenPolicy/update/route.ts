import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { requireRecentAuth } from "@/lib/auth/reauth";
import { MSG } from "@/lib/tokens/schemas";
import { saveTokenPolicy, tokenPolicyStatus } from "@/lib/tokens/policy";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("policy.update", async ({ db, actor, body, audit, now }) => {
    // Loosening it would ease every later token mint: "sudo mode", as for minting an admin token.
    await requireRecentAuth(db, actor, now);
    const { changed } = await saveTokenPolicy(db, body, audit, now);
    const status = await tokenPolicyStatus(db, now);
    return changed ? status : new Reply(status, MSG.nothingChanged);
  }),
});
