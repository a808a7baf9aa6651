import "server-only";
import { createHash } from "node:crypto";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, asc, count, eq, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import { panelInfo } from "@/db/schema/panel-info";
import { passkeys, type PasskeyRow } from "@/db/schema/passkeys";
import type { ChallengePurpose } from "@/db/schema/webauthn-challenges";
import type { AuditContext } from "@/lib/audit/context";
import { auditStatement } from "@/lib/audit/record";
import { requireRecentAuth } from "@/lib/auth/reauth";
import type { Actor } from "@/lib/auth/request-auth";
import { commitEndingSessions } from "@/lib/auth/session-ends";
import type { WebAuthnConfig } from "@/lib/config";
import { commit } from "@/lib/db/commit";
import { DomainError, HttpError } from "@/lib/errors";
import { consumeChallenge, issueChallenge } from "./challenges";
import { authenticationResponse, PASSKEY_MSG, type PasskeyView } from "./schemas";

/** Enough for every device an admin owns; keeps excludeCredentials and the list small. */
export const MAX_PASSKEYS_PER_ADMIN = 25;
const CEREMONY_TIMEOUT_MS = 120_000;
const SESSION_ONLY_MSG = "passkeys are added and confirmed from a signed-in browser, not with an API token";

/** The signed-in admin behind a ceremony route (bearer tokens have no browser to hold a passkey). */
export type SessionActor = Extract<Actor, { kind: "session" }>;

export function sessionOnly(actor: Actor): SessionActor {
  if (actor.kind !== "session") throw new HttpError(403, SESSION_ONLY_MSG);
  return actor;
}

function view(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    deviceType: row.deviceType,
    backedUp: row.backedUp,
    transports: parseTransports(row.transports),
  };
}

function parseTransports(text: string): AuthenticatorTransport[] {
  try {
    const list: unknown = JSON.parse(text);
    return Array.isArray(list) ? list.filter((t): t is AuthenticatorTransport => typeof t === "string") : [];
  } catch {
    return [];
  }
}

/** Whose passkeys a caller sees and changes: a session its admin's own; an admin token every admin's. */
function ownedBy(actor: Actor) {
  return actor.kind === "session" ? eq(passkeys.userId, actor.userId) : undefined;
}

export async function listPasskeys(db: Db, actor: Actor): Promise<PasskeyView[]> {
  const rows = await db.select().from(passkeys).where(ownedBy(actor)).orderBy(asc(passkeys.id));
  return rows.map(view);
}

async function findPasskey(db: Db, actor: Actor, id: number): Promise<PasskeyRow> {
  const mine = ownedBy(actor);
  const row = await db
    .select()
    .from(passkeys)
    .where(mine ? and(eq(passkeys.id, id), mine) : eq(passkeys.id, id))
    .get();
  if (!row) throw new DomainError(PASSKEY_MSG.notFound);
  return row;
}

/**
 * The WebAuthn user handle of an admin: stable for this panel's database and
 * admin, and telling nothing (two panels on one RP ID, like two local
 * installs on `localhost`, never overwrite each other's passkeys).
 */
async function userHandle(db: Db, userId: number): Promise<Uint8Array<ArrayBuffer>> {
  const info = await db.select({ guid: panelInfo.guid }).from(panelInfo).where(eq(panelInfo.id, 1)).get();
  return new Uint8Array(createHash("sha256").update(`xui-panel user:${info?.guid ?? ""}:${userId}`).digest());
}

/** `navigator.credentials.create()` options for a new passkey of the signed-in admin. */
export async function registrationOptions(db: Db, actor: SessionActor, csrfKey: string, webauthn: WebAuthnConfig, now: number) {
  const existing = await db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.userId, actor.userId));
  if (existing.length >= MAX_PASSKEYS_PER_ADMIN) {
    throw new DomainError(`an admin may have at most ${MAX_PASSKEYS_PER_ADMIN} passkeys: remove one first`);
  }
  const challenge = await issueChallenge(db, { purpose: "register", userId: actor.userId, csrfKey }, now);
  return generateRegistrationOptions({
    rpName: webauthn.rpName,
    rpID: webauthn.rpId,
    userName: actor.username,
    userDisplayName: actor.username,
    userID: await userHandle(db, actor.userId),
    challenge: Buffer.from(challenge, "base64url"),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: parseTransports(p.transports) })),
    // A discoverable credential is what lets the login page sign in without a username.
    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
  });
}

/** The challenge a response was made for, as its clientDataJSON carries it; null if unreadable. */
function challengeOf(clientDataJSON: string, type: "webauthn.create" | "webauthn.get"): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8"));
    if (typeof data !== "object" || data === null) return null;
    const { challenge, type: actual } = data as { challenge?: unknown; type?: unknown };
    return typeof challenge === "string" && actual === type && /^[A-Za-z0-9_-]{1,200}$/.test(challenge) ? challenge : null;
  } catch {
    return null;
  }
}

/** Verifies a new passkey against the challenge this browser was given, stores it and audits `passkey.added`. */
export async function registerPasskey(
  db: Db,
  actor: SessionActor,
  input: { name: string; response: RegistrationResponseJSON },
  ctx: { csrfKey: string; webauthn: WebAuthnConfig; audit: AuditContext; now: number },
): Promise<PasskeyView> {
  const challenge = challengeOf(input.response.response.clientDataJSON, "webauthn.create");
  if (!challenge) throw new DomainError(PASSKEY_MSG.responseInvalid);
  const taken = await consumeChallenge(db, { challenge, purpose: "register", userId: actor.userId, csrfKey: ctx.csrfKey }, ctx.now);
  if (!taken) throw new DomainError(PASSKEY_MSG.challengeInvalid);
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: ctx.webauthn.origins,
      expectedRPID: ctx.webauthn.rpId,
      requireUserPresence: true,
      requireUserVerification: true,
    });
  } catch {
    throw new DomainError(PASSKEY_MSG.notVerified);
  }
  if (!verified.verified) throw new DomainError(PASSKEY_MSG.notVerified);
  const info = verified.registrationInfo;
  const credentialId = info.credential.id;
  const known = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.credentialId, credentialId)).get();
  if (known) throw new DomainError(PASSKEY_MSG.alreadyRegistered);
  const [mine] = await db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, actor.userId));
  if ((mine?.n ?? 0) >= MAX_PASSKEYS_PER_ADMIN) {
    throw new DomainError(`an admin may have at most ${MAX_PASSKEYS_PER_ADMIN} passkeys: remove one first`);
  }
  const transports = (input.response.response.transports ?? []).filter((t) => /^[a-z-]{1,32}$/.test(t));
  const [inserted] = (await commit(db, [
    db
      .insert(passkeys)
      .values({
        userId: actor.userId,
        name: input.name,
        credentialId,
        publicKey: Buffer.from(info.credential.publicKey).toString("base64url"),
        signCount: info.credential.counter,
        transports: JSON.stringify(transports),
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        createdAt: ctx.now,
      })
      .returning(),
    auditStatement(
      db,
      ctx.audit,
      { action: "passkey.added", target: { type: "passkey", name: input.name }, detail: { deviceType: info.credentialDeviceType } },
      ctx.now,
    ),
  ])) as [PasskeyRow[]];
  return view(inserted![0]!);
}

export async function renamePasskey(db: Db, actor: Actor, id: number, name: string, audit: AuditContext, now: number): Promise<PasskeyView> {
  const row = await findPasskey(db, actor, id);
  if (row.name === name) return view(row);
  const [updated] = (await commit(db, [
    db.update(passkeys).set({ name }).where(eq(passkeys.id, id)).returning(),
    auditStatement(db, audit, { action: "passkey.renamed", target: { type: "passkey", id, name }, detail: { from: row.name } }, now),
  ])) as [PasskeyRow[]];
  if (!updated?.[0]) throw new DomainError(PASSKEY_MSG.notFound);
  return view(updated[0]);
}

/**
 * Removes a passkey (after a recent re-authentication) and ends its admin's
 * other sessions in the same transaction: whoever signed in with it elsewhere
 * is out. An admin token removing one ends every session of that admin.
 */
export async function removePasskey(db: Db, actor: Actor, id: number, audit: AuditContext, now: number): Promise<void> {
  await requireRecentAuth(db, actor, now);
  const row = await findPasskey(db, actor, id);
  await commitEndingSessions(db, row.userId, actor.kind === "session" ? actor.sessionHash : null, [
    db.delete(passkeys).where(eq(passkeys.id, id)),
    auditStatement(db, audit, { action: "passkey.removed", target: { type: "passkey", id, name: row.name } }, now),
  ]);
}

/** `navigator.credentials.get()` options: for one admin's passkeys (re-authentication), or any discoverable one (login). */
export async function assertionOptions(
  db: Db,
  who: { purpose: Exclude<ChallengePurpose, "register">; userId: number | null; csrfKey: string },
  webauthn: WebAuthnConfig,
  now: number,
) {
  const allow =
    who.userId === null
      ? undefined
      : (
          await db
            .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
            .from(passkeys)
            .where(eq(passkeys.userId, who.userId))
        ).map((p) => ({ id: p.credentialId, transports: parseTransports(p.transports) }));
  if (allow && allow.length === 0) throw new DomainError("this admin has no passkey: add one on the Security page first");
  const challenge = await issueChallenge(db, who, now);
  return generateAuthenticationOptions({
    rpID: webauthn.rpId,
    challenge: Buffer.from(challenge, "base64url"),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: "required",
    allowCredentials: allow,
  });
}

/** Why an assertion was refused: its challenge (expired, replayed, another browser's), or the passkey itself. */
export type AssertionRefusal = "challenge" | "passkey";

/**
 * Checks an assertion: the challenge (taken once), the passkey (known, and
 * `ownerId`'s if given), origin, RP ID, signature, user verification and the
 * signature counter. On success the counter and last use are saved, in one
 * conditional UPDATE, so one assertion cannot be accepted twice even by two
 * instances at once.
 */
export async function verifyAssertion(
  db: Db,
  response: AuthenticationResponseJSON,
  expect: { purpose: Exclude<ChallengePurpose, "register">; challengeUserId: number | null; ownerId: number | null; csrfKey: string },
  webauthn: WebAuthnConfig,
  now: number,
): Promise<PasskeyRow | AssertionRefusal> {
  const challenge = challengeOf(response.response.clientDataJSON, "webauthn.get");
  if (!challenge) return "passkey";
  const taken = await consumeChallenge(
    db,
    { challenge, purpose: expect.purpose, userId: expect.challengeUserId, csrfKey: expect.csrfKey },
    now,
  );
  if (!taken) return "challenge";
  const row = await db.select().from(passkeys).where(eq(passkeys.credentialId, response.id)).get();
  if (!row || (expect.ownerId !== null && row.userId !== expect.ownerId)) return "passkey";
  let newCounter: number;
  let backedUp: boolean;
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: webauthn.origins,
      expectedRPID: webauthn.rpId,
      credential: { id: row.credentialId, publicKey: Buffer.from(row.publicKey, "base64url"), counter: row.signCount },
      requireUserVerification: true,
    });
    if (!result.verified || !result.authenticationInfo.userVerified) return "passkey";
    newCounter = result.authenticationInfo.newCounter;
    backedUp = result.authenticationInfo.credentialBackedUp;
  } catch {
    return "passkey";
  }
  // An authenticator that counts must count up: an equal or lower value is a cloned key or a replay.
  const saved = await db
    .update(passkeys)
    .set({ signCount: newCounter, lastUsedAt: now, backedUp })
    .where(
      and(
        eq(passkeys.id, row.id),
        or(sql`${passkeys.signCount} < ${newCounter}`, and(eq(passkeys.signCount, 0), sql`${newCounter} = 0`)),
      ),
    )
    .returning({ id: passkeys.id });
  if (saved.length !== 1) return "passkey";
  return { ...row, signCount: newCounter, lastUsedAt: now, backedUp };
}

/**
 * Re-authentication with a passkey of `userId` (the lead's `POST
 * /panel/api/setting/reauth`): true when `response` is a valid assertion for the
 * challenge `POST …/passkeys/reauthOptions` gave this browser (`browserKey`: the
 * cookie's CSRF key). Audits `passkey.used` with purpose `reauth` on success.
 */
export async function verifyReauthPasskey(
  db: Db,
  userId: number,
  response: unknown,
  ctx: { ip: string; now: number; browserKey: string; webauthn: WebAuthnConfig },
): Promise<boolean> {
  const parsed = authenticationResponse.safeParse(response);
  if (!parsed.success) return false;
  const result = await verifyAssertion(
    db,
    parsed.data as AuthenticationResponseJSON,
    { purpose: "reauth", challengeUserId: userId, ownerId: userId, csrfKey: ctx.browserKey },
    ctx.webauthn,
    ctx.now,
  );
  if (typeof result === "string") return false;
  const admin = await db.select({ username: adminUsers.username }).from(adminUsers).where(eq(adminUsers.id, userId)).get();
  await commit(db, [
    auditStatement(
      db,
      { actor: { type: "session", id: userId, name: admin?.username ?? "" }, ip: ctx.ip },
      { action: "passkey.used", target: { type: "passkey", id: result.id, name: result.name }, detail: { purpose: "reauth" } },
      ctx.now,
    ),
  ]);
  return true;
}
