import type { Db } from "@/db/client";
import { HttpError } from "@/lib/errors";
import { countSharedHit, nextFlush, unconfirmedShare, windowUsage } from "@/lib/rate-limit/shared-window";

/**
 * Per-token request limits (`rateLimitPerMinute`), one budget across
 * instances: decided in memory from the shared count as last learned plus
 * this instance's unconfirmed requests (lib/rate-limit/shared-window.ts), so a
 * request does not wait for the database. Only a burst beyond the unconfirmed
 * share (a tenth of the limit) within one flush waits for that flush; that is
 * what bounds N instances to limit + (N − 1) × share. Only served requests count.
 */
const WINDOW_MS = 60_000;
/** Flushes a request waits for before it is turned away (the database being away, say). */
const MAX_WAITS = 3;

export const rateLimitedMsg = (limit: number, waitS: number) =>
  `this API token's limit of ${limit} request${limit === 1 ? "" : "s"} per minute is used up; try again in ${waitS} second${waitS === 1 ? "" : "s"}`;

function refuse(limit: number, waitMs: number): never {
  const waitS = Math.max(1, Math.ceil(waitMs / 1000));
  throw new HttpError(429, rateLimitedMsg(limit, waitS), { "Retry-After": String(waitS) });
}

/** Counts a request of a rate-limited token, or throws 429 (with Retry-After) once its minute's budget is spent. */
export async function enforceTokenRateLimit(db: Db, token: { tokenId: number; rateLimitPerMinute: number }, now: number): Promise<void> {
  const key = `token:rate:${token.tokenId}`;
  const limit = token.rateLimitPerMinute;
  for (let waits = 0; ; waits++) {
    const at = waits === 0 ? now : Date.now();
    const usage = windowUsage(db, key, WINDOW_MS, at);
    if (usage.used >= limit) refuse(limit, usage.resetsAt - at);
    if (usage.unconfirmed < unconfirmedShare(limit)) {
      countSharedHit(db, key, WINDOW_MS, at);
      return;
    }
    if (waits === MAX_WAITS) refuse(limit, 1_000);
    await nextFlush(db);
  }
}
