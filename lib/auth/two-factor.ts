import "server-only";
import { randomInt, timingSafeEqual } from "node:crypto";
import { and, asc, count, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { renderSVG } from "uqr";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import { recoveryCodes } from "@/db/schema/recovery-codes";
import { twoFactor } from "@/db/schema/two-factor";
import type { AuditContext } from "@/lib/audit/context";
import { auditStatement } from "@/lib/audit/record";
import { decryptSecret, encryptSecret, keyedHash } from "@/lib/crypto/panel-key";
import { commit } from "@/lib/db/commit";
import { DomainError } from "@/lib/errors";
import { logError } from "@/lib/log";
import { throttledPasswordCheck, type ThrottlePolicy } from "./credential-guard";
import { commitEndingSessions } from "./session-ends";
import { TWO_FACTOR_MSG } from "./two-factor-schemas";

export { TWO_FACTOR_MSG } from "./two-factor-schemas";

/** RFC 6238 as every authenticator app does it by default. */
const PERIOD_S = 30;
const DIGITS = 6;
const ISSUER = "xui-panel";
/** Codes of the previous and the next time step count too (clocks drift). */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** Crockford-like: no 0/O, 1/I/L, so a code read off paper is typed right. */
const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const RECOVERY_LENGTH = 10;

export interface TwoFactorAdmin {
  id: number;
  username: string;
}

export const stepOf = (now: number) => Math.floor(now / 1000 / PERIOD_S);

function totpFor(secret: string, username: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label: username,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD_S,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** The boxes are bound to the admin: a box copied onto another admin's row does not open. */
const boxContext = (userId: number) => `two-factor:${userId}`;

/**
 * The time step (within ±WINDOW of now) whose code `code` is, or null. Every
 * candidate is compared, in constant time, whatever matched first.
 */
function matchingStep(secret: string, username: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = totpFor(secret, username);
  const given = Buffer.from(code);
  let found: number | null = null;
  for (let delta = -WINDOW; delta <= WINDOW; delta++) {
    const step = stepOf(now) + delta;
    const expected = Buffer.from(totp.generate({ timestamp: step * PERIOD_S * 1000 }));
    if (timingSafeEqual(expected, given) && found === null) found = step;
  }
  return found;
}

/** What an admin may type: digits with spaces, or a recovery code with dashes, any case. */
export function normaliseCode(code: string): string {
  return code.replace(/[\s-]/g, "").toLowerCase();
}

function newRecoveryCode(): string {
  let code = "";
  for (let i = 0; i < RECOVERY_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

const recoveryHash = (normalised: string) => keyedHash("recovery-code", normalised);

/** The row of an admin, or undefined. */
async function stateOf(db: Db, userId: number) {
  return db.select().from(twoFactor).where(eq(twoFactor.userId, userId)).get();
}

function openBox(box: string, userId: number): string | null {
  try {
    return decryptSecret(box, boxContext(userId));
  } catch (error) {
    // A different panel key (another instance without the same PANEL_SECRET_KEY, a lost key file):
    // the code cannot be checked, so it is refused, and the operator told why.
    logError("two-factor secret unreadable", error, { userId });
    return null;
  }
}

export async function isTwoFactorEnabled(db: Db, userId: number): Promise<boolean> {
  const row = await db
    .select({ enabledAt: twoFactor.enabledAt })
    .from(twoFactor)
    .where(and(eq(twoFactor.userId, userId), isNotNull(twoFactor.enabledAt)))
    .get();
  return row !== undefined;
}

/** Whether any admin has 2FA on (`POST /getTwoFactorEnable`: 3x-ui has a single admin). */
export async function anyTwoFactorEnabled(db: Db): Promise<boolean> {
  const row = await db.select({ userId: twoFactor.userId }).from(twoFactor).where(isNotNull(twoFactor.enabledAt)).limit(1).get();
  return row !== undefined;
}

/** Accepts a TOTP code of `step` once: only the update that raises last_step to it succeeds. */
async function claimStep(db: Db, userId: number, step: number): Promise<boolean> {
  const claimed = await db
    .update(twoFactor)
    .set({ lastStep: step })
    .where(and(eq(twoFactor.userId, userId), isNotNull(twoFactor.enabledAt), lt(twoFactor.lastStep, step)))
    .returning({ userId: twoFactor.userId });
  return claimed.length === 1;
}

/**
 * A second factor for `user`: a TOTP code (±1 step; a code, or an older one,
 * after an accepted one is refused) or an unused recovery code (used up here,
 * audited as twofactor.recovery_used). Null when it is neither.
 */
export async function verifyTwoFactorCode(
  db: Db,
  user: { id: number; username: string },
  code: string,
  ctx: { ip: string; now: number },
): Promise<"totp" | "recovery" | null> {
  const given = normaliseCode(code);
  if (given.length === 0 || given.length > 32) return null;
  const state = await stateOf(db, user.id);
  if (!state?.enabledAt || !state.secretBox) return null;
  // By shape: 6 digits are a TOTP code; a recovery code is 10 characters (rarely all digits).
  if (/^\d{6}$/.test(given)) {
    const secret = openBox(state.secretBox, user.id);
    const step = secret === null ? null : matchingStep(secret, user.username, given, ctx.now);
    return step !== null && (await claimStep(db, user.id, step)) ? "totp" : null;
  }
  if (given.length !== RECOVERY_LENGTH) return null;
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: ctx.now })
    .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, recoveryHash(given)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  if (used.length !== 1) return null;
  const left = await recoveryCodesLeft(db, user.id);
  await commit(db, [
    auditStatement(
      db,
      { actor: { type: "session", id: user.id, name: user.username }, ip: ctx.ip },
      { action: "twofactor.recovery_used", target: { type: "admin", id: user.id, name: user.username }, detail: { left } },
      ctx.now,
    ),
  ]);
  return "recovery";
}

async function recoveryCodesLeft(db: Db, userId: number): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
    .get();
  return row?.n ?? 0;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: number | null;
  /** A setup was started and not confirmed yet. */
  pending: boolean;
  recoveryCodesLeft: number;
}

export async function twoFactorStatus(db: Db, admin: TwoFactorAdmin): Promise<TwoFactorStatus> {
  const state = await stateOf(db, admin.id);
  const enabled = Boolean(state?.enabledAt);
  return {
    enabled,
    enabledAt: state?.enabledAt ?? null,
    pending: !enabled && Boolean(state?.pendingSecretBox),
    recoveryCodesLeft: enabled ? await recoveryCodesLeft(db, admin.id) : 0,
  };
}

/** The admin an authenticated caller acts for: a session's own, or (an admin token) the first admin, as 3x-ui has one. */
export async function twoFactorAdminOf(db: Db, actor: { kind: "session"; userId: number; username: string } | { kind: "token" }): Promise<TwoFactorAdmin> {
  if (actor.kind === "session") return { id: actor.userId, username: actor.username };
  const first = await db.select({ id: adminUsers.id, username: adminUsers.username }).from(adminUsers).orderBy(asc(adminUsers.id)).limit(1).get();
  if (!first) throw new DomainError("there is no admin");
  return first;
}

/**
 * Step 1: a new secret, made here, kept encrypted as pending until a code
 * confirms it. Again while pending: a new secret replaces the old one.
 */
export async function startTwoFactorSetup(db: Db, admin: TwoFactorAdmin) {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const box = encryptSecret(secret, boxContext(admin.id));
  const stored = await db
    .insert(twoFactor)
    .values({ userId: admin.id, pendingSecretBox: box })
    .onConflictDoUpdate({ target: twoFactor.userId, set: { pendingSecretBox: box }, setWhere: isNull(twoFactor.enabledAt) })
    .returning({ userId: twoFactor.userId });
  if (stored.length !== 1) throw new DomainError(TWO_FACTOR_MSG.alreadyEnabled);
  const otpauthUri = totpFor(secret, admin.username).toString();
  return { secret, otpauthUri, qrSvg: renderSVG(otpauthUri, { border: 2 }) };
}

/** Inserts that take effect only in the transaction whose enable update stored `box` (a fresh IV each request). */
function ifEnabledWith(userId: number, box: string) {
  return sql`EXISTS (SELECT 1 FROM two_factor WHERE user_id = ${userId} AND secret_box = ${box})`;
}

function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  return { codes, hashes: codes.map((c) => recoveryHash(normaliseCode(c))) };
}

/**
 * Step 2: the code from the app confirms the pending secret; 2FA is on and the
 * 10 recovery codes (returned this once) replace any earlier ones, with the
 * audit row, in one transaction. A second confirmation racing this one
 * changes nothing (its statements are conditioned on this one's box).
 */
export async function enableTwoFactor(db: Db, admin: TwoFactorAdmin, code: string, audit: AuditContext, now: number) {
  const state = await stateOf(db, admin.id);
  if (state?.enabledAt) throw new DomainError(TWO_FACTOR_MSG.alreadyEnabled);
  if (!state?.pendingSecretBox) throw new DomainError(TWO_FACTOR_MSG.noPending);
  const secret = openBox(state.pendingSecretBox, admin.id);
  const step = secret === null ? null : matchingStep(secret, admin.username, normaliseCode(code), now);
  if (secret === null || step === null) throw new DomainError(TWO_FACTOR_MSG.wrongSetupCode);
  const box = encryptSecret(secret, boxContext(admin.id));
  const { codes, hashes } = newRecoveryCodes();
  const ours = ifEnabledWith(admin.id, box);
  const [updated] = (await commit(db, [
    db
      .update(twoFactor)
      .set({ secretBox: box, pendingSecretBox: null, enabledAt: now, lastStep: step })
      .where(and(eq(twoFactor.userId, admin.id), eq(twoFactor.pendingSecretBox, state.pendingSecretBox), isNull(twoFactor.enabledAt)))
      .returning({ userId: twoFactor.userId }),
    db.run(sql`DELETE FROM recovery_codes WHERE user_id = ${admin.id} AND ${ours}`),
    ...hashes.map((hash) =>
      db.run(sql`INSERT INTO recovery_codes (user_id, code_hash, created_at) SELECT ${admin.id}, ${hash}, ${now} WHERE ${ours}`),
    ),
    db.run(sql`INSERT INTO audit_events (at, action, outcome, actor_type, actor_id, actor_name, ip, target_type, target_id, target_name, detail)
      SELECT ${now}, 'twofactor.enabled', 'success', ${audit.actor.type}, ${audit.actor.id}, ${audit.actor.name}, ${audit.ip},
        'admin', ${admin.id}, ${admin.username}, ${JSON.stringify({ recoveryCodes: RECOVERY_CODE_COUNT })} WHERE ${ours}`),
  ])) as [unknown[]];
  // Lost the race to a parallel confirmation (or the setup was restarted meanwhile).
  if (updated.length !== 1) throw new DomainError(TWO_FACTOR_MSG.noPending);
  return { recoveryCodes: codes };
}

/**
 * A current code (TOTP or recovery) of an admin with 2FA on, else a DomainError.
 * Checked under the login throttle, as a password is: a million guesses at a
 * 6-digit code must not be a matter of minutes.
 */
async function requireCode(db: Db, admin: TwoFactorAdmin, code: string, ip: string, policy: ThrottlePolicy, now: number): Promise<"totp" | "recovery"> {
  if (!(await isTwoFactorEnabled(db, admin.id))) throw new DomainError(TWO_FACTOR_MSG.notEnabled);
  return throttledPasswordCheck(
    db,
    { ip, username: admin.username },
    policy,
    { message: TWO_FACTOR_MSG.wrongCode, action: "reauth.failure" },
    () => verifyTwoFactorCode(db, admin, code, { ip, now }),
    now,
  );
}

/** New recovery codes (returned once); the old ones stop working in the same transaction. */
export async function regenerateRecoveryCodes(db: Db, admin: TwoFactorAdmin, code: string, audit: AuditContext, policy: ThrottlePolicy, now: number) {
  await requireCode(db, admin, code, audit.ip, policy, now);
  const { codes, hashes } = newRecoveryCodes();
  await commit(db, [
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, admin.id)),
    db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId: admin.id, codeHash, createdAt: now }))),
    auditStatement(
      db,
      audit,
      { action: "twofactor.recovery_regenerated", target: { type: "admin", id: admin.id, name: admin.username }, detail: { recoveryCodes: RECOVERY_CODE_COUNT } },
      now,
    ),
  ]);
  return { recoveryCodes: codes };
}

/** The statements that turn an admin's 2FA off and void its recovery codes. */
function turnOffStatements(db: Db, admin: TwoFactorAdmin, audit: AuditContext, now: number, via: string) {
  return [
    db.delete(twoFactor).where(eq(twoFactor.userId, admin.id)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, admin.id)),
    auditStatement(db, audit, { action: "twofactor.disabled", target: { type: "admin", id: admin.id, name: admin.username }, detail: { via } }, now),
  ];
}

/**
 * Turns 2FA off with a current code; every other session of the admin ends
 * in the same transaction (`keepSessionHash`: the caller's own, or null).
 */
export async function disableTwoFactor(
  db: Db,
  admin: TwoFactorAdmin,
  code: string,
  keepSessionHash: string | null,
  audit: AuditContext,
  policy: ThrottlePolicy,
  now: number,
): Promise<void> {
  const kind = await requireCode(db, admin, code, audit.ip, policy, now);
  await commitEndingSessions(db, admin.id, keepSessionHash, turnOffStatements(db, admin, audit, now, kind));
}

/** Lockout recovery on the host (`admin 2fa disable`): no code; every session of the admin ends. */
export async function disableTwoFactorByOperator(db: Db, username: string, audit: AuditContext, now: number): Promise<{ wasEnabled: boolean }> {
  const admin = await db.select({ id: adminUsers.id, username: adminUsers.username }).from(adminUsers).where(eq(adminUsers.username, username)).get();
  if (!admin) throw new DomainError(`no admin is named '${username}'`);
  const wasEnabled = await isTwoFactorEnabled(db, admin.id);
  await commitEndingSessions(db, admin.id, null, turnOffStatements(db, admin, audit, now, "cli"));
  return { wasEnabled };
}
