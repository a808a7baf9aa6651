import "server-only";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { minuteBucket, noteAggregated } from "@/lib/audit/aggregate";
import { ANONYMOUS } from "@/lib/audit/context";
import { writeInBackground } from "@/lib/db/outage";

/** The token's flag (`reuse_detected_at`) is written at most this often per token and process. */
const FLAG_INTERVAL_MS = 60_000;

/**
 * A rotated-out secret presented after its grace period: someone still holds
 * (or found) the old secret. The caller answers exactly as for an unknown token;
 * this records `token.reuse_detected` (counted per token, address, route and
 * minute) and flags the token for its page, with no database statement on the
 * request path: the audit row is written with the next aggregate flush and the
 * flag in the background.
 */
export function noteReuse(db: Db, token: { id: number; name: string; reuseNotedAt: number }, call: { ip: string; route: string }, now: number): void {
  noteAggregated(
    db,
    {
      key: `token.reuse_detected|${token.id}|${call.ip}|${call.route}|${minuteBucket(now)}`,
      action: "token.reuse_detected",
      outcome: "denied",
      actor: ANONYMOUS,
      ip: call.ip,
      target: { type: "token", id: token.id, name: token.name },
      detail: { route: call.route },
    },
    now,
  );
  if (now - token.reuseNotedAt < FLAG_INTERVAL_MS) return;
  token.reuseNotedAt = now;
  // Dropped if it fails: the audit row has it, and the next reuse after the interval writes the flag again.
  writeInBackground(
    db.update(apiTokens)
      .set({ reuseDetectedAt: now })
      .where(and(eq(apiTokens.id, token.id), lt(apiTokens.reuseDetectedAt, now - FLAG_INTERVAL_MS))),
    "token reuse flags",
    "could not flag a reused token secret",
    { tokenId: token.id },
  );
}
