import "server-only";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import type { PasskeyRow } from "@/db/schema/passkeys";
import { auditStatement } from "@/lib/audit/record";
import { findAdminByPassword } from "@/lib/auth/admins";
import { throttledPasswordCheck } from "@/lib/auth/credential-guard";
import { LOGIN_MSG, type LoginPolicy, type LoginResult } from "@/lib/auth/login";
import { newSession, purgeExpiredSessions, sessionDeletion } from "@/lib/auth/sessions";
import type { WebAuthnConfig } from "@/lib/config";
import { commitSessionChanges } from "@/lib/auth/session-ends";
import { DomainError, HttpError } from "@/lib/errors";
import { purgeStaleWindows, takeAttempt } from "@/lib/rate-limit/counters";
import { PASSKEY_MSG, type PasskeyLoginInput } from "./schemas";
import { verifyAssertion } from "./service";

/**
 * The throttle's "username" for passwordless attempts: no admin can be named
 * this (names are trimmed and non-empty), so they get a pair budget of their
 * own per IP, and count against the IP's budget like every failed login.
 */
const PASSWORDLESS = "";

/**
 * Signs in with a passkey and opens a session as `POST /login` does (a new
 * random id; the browser's previous session, `meta.replacing`, ends in the
 * same transaction). Without username and password any admin's passkey
 * signs that admin in: a user-verified passkey is two factors (the device and
 * its PIN or biometric). With them, the password is checked too and the
 * passkey must be that admin's: the passkey is the second factor. Every
 * failure counts against the login throttle of this IP.
 */
export async function passkeyLogin(
  db: Db,
  input: PasskeyLoginInput,
  meta: { ip: string; userAgent: string; csrfKey: string; replacing?: string | null },
  policy: LoginPolicy,
  webauthn: WebAuthnConfig,
  now: number,
): Promise<LoginResult> {
  const response = input.response as AuthenticationResponseJSON;
  const secondFactor = input.username !== undefined && input.password !== undefined;
  const expect = { purpose: "login" as const, challengeUserId: null, csrfKey: meta.csrfKey };
  const accepted = await throttledPasswordCheck<{ user: { id: number; username: string }; passkey: PasskeyRow }>(
    db,
    { ip: meta.ip, username: secondFactor ? input.username! : PASSWORDLESS },
    policy,
    { message: secondFactor ? LOGIN_MSG.wrongCredentials : PASSKEY_MSG.notAccepted, action: "login.failure" },
    async () => {
      const user = secondFactor ? await findAdminByPassword(db, input.username!, input.password!) : null;
      if (secondFactor && !user) return null;
      const result = await verifyAssertion(db, response, { ...expect, ownerId: user?.id ?? null }, webauthn, now);
      // Counted like any failure. Said plainly when no password was given (the person only has to
      // start again); after a password, the same words as any failure, or they would tell that it was right.
      if (result === "challenge" && !secondFactor) throw new DomainError(PASSKEY_MSG.challengeInvalid);
      if (result === "challenge") return null;
      if (result === "passkey") return null;
      const owner = user ?? (await db.select().from(adminUsers).where(eq(adminUsers.id, result.userId)).get());
      return owner ? { user: { id: owner.id, username: owner.username }, passkey: result } : null;
    },
    now,
  );
  const { user, passkey } = accepted;
  await purgeExpiredSessions(db, policy, now);
  await purgeStaleWindows(db, policy.windowMs, now);
  const session = newSession(db, user.id, meta, policy, now);
  const audit = { actor: { type: "session" as const, id: user.id, name: user.username }, ip: meta.ip };
  const method = secondFactor ? "password+passkey" : "passkey";
  // Through the session helper: the replaced session ends on every instance.
  await commitSessionChanges(db, [
    session.statement,
    ...(meta.replacing ? [sessionDeletion(db, meta.replacing)] : []),
    auditStatement(db, audit, { action: "passkey.used", target: { type: "passkey", id: passkey.id, name: passkey.name }, detail: { purpose: "login" } }, now),
    auditStatement(db, audit, { action: "login.success", target: { type: "admin", id: user.id, name: user.username }, detail: { method } }, now),
  ]);
  return { sessionId: session.id, userId: user.id, username: user.username };
}

/** Sign-in challenges an address may ask for per minute: each is a row, written before anyone is known. */
export const LOGIN_OPTIONS_PER_MINUTE = 30;

/** 429 once an address has asked for LOGIN_OPTIONS_PER_MINUTE sign-in challenges this minute (one budget across instances). */
export async function limitLoginOptions(db: Db, ip: string, now: number): Promise<void> {
  const wait = await takeAttempt(db, [{ key: `passkey-options:ip:${ip}`, max: LOGIN_OPTIONS_PER_MINUTE }], 60_000, now);
  if (wait > 0) throw new HttpError(429, "too many passkey sign-in attempts; try again in a minute", { "Retry-After": String(Math.ceil(wait / 1000)) });
}
