import type { Db } from "@/db/client";
import { HttpError } from "@/lib/errors";
import { countSharedHit, windowUsage } from "@/lib/rate-limit/shared-window";

/**
 * Per-token request limits (`rateLimitPerMinute`), one budget across
 * instances: decided in memory from the shared count as last learned plus
 * this instance's unflushed requests (lib/rate-limit/shared-window.ts), so a
 * request never waits for the database. Only served requests count.
 */
const WINDOW_MS = 60_000;

export const rateLimitedMsg = (limit: number, waitS: number) =>
  `this API token's limit of ${limit} request${limit === 1 ? "" : "s"} per minute is used up; try again in ${waitS} second${waitS === 1 ? "" : "s"}`;

/** Counts a request of a rate-limited token, or throws 429 (with Retry-After) once its minute's budget is spent. */
export function enforceTokenRateLimit(db: Db, token: { tokenId: number; rateLimitPerMinute: number }, now: number): void {
  const key = `token:rate:${token.tokenId}`;
  const usage = windowUsage(db, key, WINDOW_MS, now);
  if (usage.used >= token.rateLimitPerMinute) {
    const waitS = Math.max(1, Math.ceil((usage.resetsAt - now) / 1000));
    throw new HttpError(429, rateLimitedMsg(token.rateLimitPerMinute, waitS), { "Retry-After": String(waitS) });
  }
  countSharedHit(db, key, WINDOW_MS, now);
}
