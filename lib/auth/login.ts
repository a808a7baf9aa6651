import { z } from "zod";
import type { Db } from "@/db/client";
import { findAdminByPassword } from "./admins";
import { PASSWORD_MAX_LENGTH } from "./password";
import { auditStatement } from "@/lib/audit/record";
import { newSession, purgeExpiredSessions, type SessionPolicy } from "./sessions";
import { throttledPasswordCheck, type ThrottlePolicy } from "./credential-guard";
import { purgeStaleWindows } from "./throttle";

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

export interface LoginPolicy extends SessionPolicy, ThrottlePolicy {}

export interface LoginResult {
  sessionId: string;
  userId: number;
  username: string;
}

/**
 * Checks credentials and opens a fresh session (a new random id: a session id
 * planted before login is never promoted). Failures count against the IP +
 * username and the IP budgets (credential-guard.ts).
 */
export async function login(
  db: Db,
  input: LoginInput,
  meta: { ip: string; userAgent: string },
  policy: LoginPolicy,
  now = Date.now(),
): Promise<LoginResult> {
  const user = await throttledPasswordCheck(
    db,
    { ip: meta.ip, username: input.username },
    policy,
    { message: LOGIN_MSG.wrongCredentials, action: "login.failure" },
    () => findAdminByPassword(db, input.username, input.password),
    now,
  );
  await purgeExpiredSessions(db, policy, now);
  await purgeStaleWindows(db, policy.windowMs, now);
  const session = newSession(db, user.id, meta, policy, now);
  await db.batch([
    session.statement,
    auditStatement(
      db,
      { actor: { type: "session", id: user.id, name: user.username }, ip: meta.ip },
      { action: "login.success", target: { type: "admin", id: user.id, name: user.username } },
      now,
    ),
  ]);
  return { sessionId: session.id, userId: user.id, username: user.username };
}
