import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { handleLeakReport, LEAK_MSG } from "@/lib/tokens/leak-revocation";

export const dynamic = "force-dynamic";

/** Leaked-token revocation (like GitHub's credential revocation API). Always 202, same body. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  POST: endpoint("credentials.revoke", async ({ db, body, ip, now }) => {
    await handleLeakReport(db, body, ip, now);
    return new Reply(null, LEAK_MSG.accepted);
  }),
});
