import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { AuditContext } from "@/lib/audit/context";
import { HttpError } from "@/lib/errors";
import { findAdminByPassword } from "./admins";
import { throttledPasswordCheck, type ThrottlePolicy } from "./credential-guard";
import { PASSWORD_MAX_LENGTH } from "./password";
import { markReauthenticated } from "./reauth";
import type { Actor } from "./request-auth";
import { verifyTwoFactorCode } from "./two-factor";

export const REAUTH_CHECK_MSG = {
  wrong: "password or code is incorrect",
  missing: "give your password, a two-factor code or a passkey",
  tokensNever: "API tokens are never asked to re-authenticate; this is for browser sessions",
} as const;

const optionalText = (max: number) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), z.string({ error: REAUTH_CHECK_MSG.missing }).max(max, REAUTH_CHECK_MSG.wrong).optional());

export const reauthBody = z.object({
  password: optionalText(PASSWORD_MAX_LENGTH).describe("The admin's password."),
  twoFactorCode: optionalText(64).describe("A current TOTP code or an unused recovery code."),
});
export type ReauthInput = z.output<typeof reauthBody>;

/**
 * Confirms the signed-in admin with a password or a second-factor code, under
 * the login throttle (a wrong answer is a failed login attempt), and opens
 * the re-authentication window for this session.
 */
export async function reauthenticate(
  db: Db,
  actor: Actor,
  input: ReauthInput,
  ctx: AuditContext,
  policy: ThrottlePolicy,
  now: number,
): Promise<void> {
  if (actor.kind !== "session") throw new HttpError(400, REAUTH_CHECK_MSG.tokensNever);
  const { password, twoFactorCode } = input;
  if (password === undefined && twoFactorCode === undefined) throw new HttpError(400, REAUTH_CHECK_MSG.missing);
  const method = await throttledPasswordCheck(
    db,
    { ip: ctx.ip, username: actor.username },
    policy,
    { message: REAUTH_CHECK_MSG.wrong, action: "reauth.failure" },
    async () => {
      if (password !== undefined) {
        const admin = await findAdminByPassword(db, actor.username, password);
        return admin?.id === actor.userId ? ("password" as const) : null;
      }
      return verifyTwoFactorCode(db, { id: actor.userId, username: actor.username }, twoFactorCode!, { ip: ctx.ip, now });
    },
    now,
  );
  await markReauthenticated(db, actor.sessionHash, { ...ctx, userId: actor.userId, username: actor.username, method }, now);
}
