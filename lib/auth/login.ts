import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import { DomainError, HttpError } from "@/lib/errors";
import { decoyPasswordHash, PASSWORD_MAX_LENGTH, verifyPassword } from "./password";
import { createSession, purgeExpiredSessions, type SessionPolicy } from "./sessions";
import { clearFailures, purgeStaleWindows, recordFailure, retryAfterMs } from "./throttle";

export const LOGIN_MSG = {
  wrongCredentials: "Wrong username or password",
  missingFields: "username and password are required",
  success: "Logged in successfully",
} as const;

export const loginBody = z.object({
  username: z.string({ error: LOGIN_MSG.missingFields }).min(1, LOGIN_MSG.missingFields).max(128, LOGIN_MSG.wrongCredentials),
  password: z
    .string({ error: LOGIN_MSG.missingFields })
    .min(1, LOGIN_MSG.missingFields)
    .max(PASSWORD_MAX_LENGTH, LOGIN_MSG.wrongCredentials),
  // Accepted for 3x-ui clients; this panel has no second factor yet.
  twoFactorCode: z.unknown().optional(),
});
export type LoginInput = z.output<typeof loginBody>;

export interface LoginPolicy extends SessionPolicy {
  maxFailures: number;
  maxFailuresPerIp: number;
  windowMs: number;
}

export interface LoginResult {
  sessionId: string;
  userId: number;
  username: string;
}

function throttleKeys(ip: string, username: string) {
  return {
    // Guessing one admin's password from one address.
    pair: `login:user:${ip}:${username.toLowerCase()}`,
    // Spraying many usernames from one address.
    ip: `login:ip:${ip}`,
  };
}

/**
 * Checks credentials and opens a fresh session (a new random id: a session id
 * planted before login is never promoted). Failures are counted per IP+username
 * and per IP; once a budget is spent, further attempts are refused with 429
 * without looking at the password.
 */
export async function login(
  db: Db,
  input: LoginInput,
  meta: { ip: string; userAgent: string },
  policy: LoginPolicy,
  now = Date.now(),
): Promise<LoginResult> {
  const keys = throttleKeys(meta.ip, input.username);
  const limits = [
    { key: keys.pair, max: policy.maxFailures },
    { key: keys.ip, max: policy.maxFailuresPerIp },
  ];
  const wait = await retryAfterMs(db, limits, policy.windowMs, now);
  if (wait > 0) {
    const minutes = Math.ceil(wait / 60_000);
    throw new HttpError(
      429,
      `too many failed login attempts; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
      { "Retry-After": String(Math.ceil(wait / 1000)) },
    );
  }

  const user = await db.select().from(adminUsers).where(eq(adminUsers.username, input.username)).get();
  // Verify against a decoy when the user does not exist: same cost, same answer.
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? (await decoyPasswordHash()));
  if (!user || !passwordOk) {
    await recordFailure(db, [keys.pair, keys.ip], policy.windowMs, now);
    throw new DomainError(LOGIN_MSG.wrongCredentials);
  }

  await clearFailures(db, [keys.pair]);
  await purgeExpiredSessions(db, policy, now);
  await purgeStaleWindows(db, policy.windowMs, now);
  const sessionId = await createSession(db, user.id, meta, policy, now);
  return { sessionId, userId: user.id, username: user.username };
}
