import type { Db } from "@/db/client";
import { HttpError } from "@/lib/errors";
import { takeSharedPlace } from "@/lib/rate-limit/shared-window";

/**
 * Per-token request limits (`rateLimitPerMinute`), one budget across
 * instances: decided in memory from the shared count as last learned plus
 * this instance's unconfirmed requests (lib/rate-limit/shared-window.ts), so a
 * request does not wait for the database; only a burst beyond the unconfirmed
 * share (a tenth of the limit) within one flush waits for that flush, which
 * bounds N instances to limit + (N − 1) × share. Only served requests count.
 */
const WINDOW_MS = 60_000;

export const rateLimitedMsg = (limit: number, waitS: number) =>
  `this API token's limit of ${limit} request${limit === 1 ? "" : "s"} per minute is used up; try again in ${waitS} second${waitS === 1 ? "" : "s"}`;

/** Counts a request of a rate-limited token, or throws 429 (with Retry-After) once its minute's budget is spent. */
export async function enforceTokenRateLimit(db: Db, token: { tokenId: number; rateLimitPerMinute: number }, now: number): Promise<void> {
  const limit = token.rateLimitPerMinute;
  const place = await takeSharedPlace(db, `token:rate:${token.tokenId}`, limit, WINDOW_MS, now);
  if (place.taken) return;
  const waitS = Math.max(1, Math.ceil((place.resetsAt - Date.now()) / 1000));
  throw new HttpError(429, rateLimitedMsg(limit, waitS), { "Retry-After": String(waitS) });
}
