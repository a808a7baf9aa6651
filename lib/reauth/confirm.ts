import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import type { AuditContext } from "@/lib/audit/context";
import { HttpError } from "@/lib/errors";
import { findAdminByPassword } from "@/lib/auth/admins";
import { throttledPasswordCheck, type ThrottlePolicy } from "@/lib/auth/credential-guard";
import { PASSWORD_MAX_LENGTH } from "@/lib/auth/password";
import { markReauthenticated } from "@/lib/auth/reauth";
import type { Actor } from "@/lib/auth/request-auth";
import { verifyTwoFactorCode } from "@/lib/auth/two-factor";
import type { WebAuthnConfig } from "@/lib/config";
import { verifyReauthPasskey } from "@/lib/passkeys/service";

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
  passkey: z
    .unknown()
    .optional()
    .describe("A passkey assertion (navigator.credentials.get() as JSON) for options from `POST …/passkeys/reauthOptions`."),
});
export type ReauthInput = z.output<typeof reauthBody>;

/**
 * Confirms the signed-in admin with a password, a second-factor code or a passkey, under
 * the login throttle (a wrong answer is a failed login attempt), and opens
 * the re-authentication window for this session.
 */
export async function reauthenticate(
  db: Db,
  actor: Actor,
  input: ReauthInput,
  ctx: AuditContext & { browserKey: string | null; webauthn: WebAuthnConfig },
  policy: ThrottlePolicy,
  now: number,
): Promise<void> {
  if (actor.kind !== "session") throw new HttpError(400, REAUTH_CHECK_MSG.tokensNever);
  const { password, twoFactorCode, passkey } = input;
  if (password === undefined && twoFactorCode === undefined && passkey === undefined) throw new HttpError(400, REAUTH_CHECK_MSG.missing);
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
      if (twoFactorCode === undefined) {
        const ok =
          ctx.browserKey !== null &&
          (await verifyReauthPasskey(db, actor.userId, passkey, { ip: ctx.ip, now, browserKey: ctx.browserKey, webauthn: ctx.webauthn }));
        return ok ? ("passkey" as const) : null;
      }
      return verifyTwoFactorCode(db, { id: actor.userId, username: actor.username }, twoFactorCode!, { ip: ctx.ip, now });
    },
    now,
  );
  await markReauthenticated(db, actor.sessionHash, { actor: ctx.actor, ip: ctx.ip, userId: actor.userId, username: actor.username, method }, now);
}
