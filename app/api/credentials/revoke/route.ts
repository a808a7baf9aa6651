import { publicRoute } from "@/lib/api/public-route";
import { firstIssueMessage } from "@/lib/api/respond";
import { readJsonObject } from "@/lib/http/body";
import { jsonResponse, fail } from "@/lib/http/envelope";
import { handleLeakReport, LEAK_MSG, revokeBody } from "@/lib/tokens/leak-revocation";

export const dynamic = "force-dynamic";

/** Leaked-token revocation (like GitHub's credential revocation API). Always 202, same body. */
export const POST = publicRoute("credentials.revoke", async (request, { db, ip, now }) => {
  const parsed = revokeBody.safeParse(await readJsonObject(request));
  if (!parsed.success) return fail(firstIssueMessage(parsed.error), 400);
  await handleLeakReport(db, parsed.data, ip, now);
  return jsonResponse({ success: true, msg: LEAK_MSG.accepted }, 202);
});
