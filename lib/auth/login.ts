import { z } from "zod";
import type { Db } from "@/db/client";
import { findAdminByPassword } from "./admins";
import { PASSWORD_MAX_LENGTH } from "./password";
import { auditStatement } from "@/lib/audit/record";
import { newSession, purgeExpiredSessions, sessionDeletion, type SessionPolicy } from "./sessions";
import { commitSessionChanges } from "./session-ends";
import { throttledPasswordCheck, type ThrottlePolicy } from "./credential-guard";
import { isTwoFactorEnabled, verifyTwoFactorCode } from "./two-factor";
import { purgeStaleWindows } from "@/lib/rate-limit/counters";

/** 3x-ui's texts (translation en-US), word for word: clients and scripts match on them. */
export const LOGIN_MSG = {
  wrongCredentials: "Invalid username or password or two-factor code.",
  usernameRequired: "Username is required",
  passwordRequired: "Password is required",
  invalidInput: "The input data format is invalid.",
  success: "You have successfully logged into your account.",
} as const;

/** A field of the wrong type (a number for a name, say), as 3x-ui's binding refuses it. */
const loginText = (required: string) =>
  z.string({ error: (iss) => (iss.input === undefined || iss.input === null ? required : LOGIN_MSG.invalidInput) });

export const loginBody = z.object({
  username: loginText(LOGIN_MSG.usernameRequired).min(1, LOGIN_MSG.usernameRequired).max(128, LOGIN_MSG.wrongCredentials),
  password: loginText(LOGIN_MSG.passwordRequired)
    .min(1, LOGIN_MSG.passwordRequired)
    .max(PASSWORD_MAX_LENGTH, LOGIN_MSG.wrongCredentials),
  // 3x-ui's field: required once the admin has 2FA on; a recovery code works here too.
  twoFactorCode: z.preprocess((v) => (v === null ? undefined : v), z.string({ error: LOGIN_MSG.invalidInput }).optional()),
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
 * planted before login is never promoted); `meta.replacing`, the browser's
 * current session, ends in the same transaction. Failures count against the IP +
 * username and the IP budgets (credential-guard.ts). An admin with 2FA on also
 * needs `twoFactorCode`; a wrong or missing code is the same failure, with the
 * same text, as a wrong password, so the answer never says which one was wrong.
 */
export async function login(
  db: Db,
  input: LoginInput,
  meta: { ip: string; userAgent: string; replacing?: string | null },
  policy: LoginPolicy,
  now = Date.now(),
): Promise<LoginResult> {
  const user = await throttledPasswordCheck(
    db,
    { ip: meta.ip, username: input.username },
    policy,
    { message: LOGIN_MSG.wrongCredentials, action: "login.failure" },
    async () => {
      const admin = await findAdminByPassword(db, input.username, input.password);
      if (!admin || !(await isTwoFactorEnabled(db, admin.id))) return admin;
      const code = input.twoFactorCode ?? "";
      return code && (await verifyTwoFactorCode(db, admin, code, { ip: meta.ip, now })) ? admin : null;
    },
    now,
  );
  await purgeExpiredSessions(db, policy, now);
  await purgeStaleWindows(db, policy.windowMs, now);
  const session = newSession(db, user.id, meta, policy, now);
  // Through the session helper: the replaced session ends on every instance.
  await commitSessionChanges(db, [
    session.statement,
    ...(meta.replacing ? [sessionDeletion(db, meta.replacing)] : []),
    auditStatement(
      db,
      { actor: { type: "session", id: user.id, name: user.username }, ip: meta.ip },
      { action: "login.success", target: { type: "admin", id: user.id, name: user.username } },
      now,
    ),
  ]);
  return { sessionId: session.id, userId: user.id, username: user.username };
}
