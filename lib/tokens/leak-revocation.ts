import { z } from "zod";
import type { Db } from "@/db/client";
import { ANONYMOUS } from "@/lib/audit/context";
import { takeAttempt } from "@/lib/rate-limit/counters";
import { HttpError } from "@/lib/errors";
import { revokeLeakedTokens } from "./service";

/**
 * `POST /api/credentials/revoke` — for secret scanners and anyone who finds a
 * leaked token: no authentication, and an answer that is the same whether or
 * not anything matched, so it cannot be used to test tokens.
 */
export const MAX_CREDENTIALS = 100;
const WINDOW_MS = 60_000;
const MAX_REQUESTS_PER_WINDOW = 30;

export const LEAK_MSG = {
  invalid: `credentials must be a list of 1 to ${MAX_CREDENTIALS} strings`,
  accepted: "accepted",
  throttled: "too many revocation requests from this address; try again in a minute",
} as const;

export const revokeBody = z.object({
  credentials: z
    .array(z.string({ error: LEAK_MSG.invalid }).max(1024, LEAK_MSG.invalid), { error: LEAK_MSG.invalid })
    .min(1, LEAK_MSG.invalid)
    .max(MAX_CREDENTIALS, LEAK_MSG.invalid),
});

export async function handleLeakReport(
  db: Db,
  body: z.output<typeof revokeBody>,
  ip: string,
  now = Date.now(),
): Promise<void> {
  const key = `leak:ip:${ip}`;
  const wait = await takeAttempt(db, [{ key, max: MAX_REQUESTS_PER_WINDOW }], WINDOW_MS, now);
  if (wait > 0) throw new HttpError(429, LEAK_MSG.throttled, { "Retry-After": String(Math.ceil(wait / 1000)) });
  await revokeLeakedTokens(db, body.credentials, { actor: ANONYMOUS, ip }, now);
}
