import "server-only";
import { and, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, type ApiTokenRow, type TokenScope } from "@/db/schema/api-tokens";
import type { AuditContext } from "@/lib/audit/context";
import { auditTokensWhere } from "@/lib/audit/record";
import { isUniqueViolation } from "@/lib/db/errors";
import { DomainError, HttpError } from "@/lib/errors";
import { hashToken, isPlausibleToken, mintToken } from "./format";
import { tokenRowBatches } from "./list";
import { nameKey } from "@/lib/display-name";
import {
  MSG,
  type CreateTokenInput,
  type CreatedToken,
  type RotateTokenInput,
  type TokenView,
  type UpdateTokenInput,
} from "./schemas";
import { viewOf } from "./view";
import { writeTokenChange } from "./write";
import { readTokenPolicy } from "./policy";
import { allowlistProblem, defaultExpiry, expiryProblem, latestExpiry } from "./policy-rules";

export { verifyBearerToken, type VerifiedToken } from "./verifier";
export { viewOf };

function assertExpiryInFuture(expiresAt: number, now: number): void {
  if (expiresAt !== 0 && expiresAt <= now) throw new DomainError(MSG.expiresAtInvalid);
}

/** Refuses what the token policy forbids (lib/tokens/policy-rules.ts); canaries are exempt. */
function assertPolicy(problem: string | null): void {
  if (problem) throw new DomainError(problem);
}

/** The name, or one that reads the same (its key), is another token's. */
const isNameTaken = (error: unknown) => isUniqueViolation(error, "api_tokens.name") || isUniqueViolation(error, "api_tokens.name_key");

/**
 * Mints a token and stores its hash. The plaintext is in the result and
 * nowhere else; the caller shows it once.
 */
export async function createToken(
  db: Db,
  input: CreateTokenInput,
  ctx: AuditContext,
  now = Date.now(),
): Promise<CreatedToken> {
  const policy = await readTokenPolicy(db);
  const expiresAt = input.expiresAt ?? (input.canary ? 0 : defaultExpiry(policy, now));
  assertExpiryInFuture(expiresAt, now);
  if (!input.canary) {
    assertPolicy(expiryProblem(policy, expiresAt, now));
    assertPolicy(allowlistProblem(policy, input.scope, input.allowedIps));
  }
  // A hash collision of two fresh 178-bit tokens will not happen; the loop is
  // there so that even then the caller gets a token rather than an error.
  for (let attempt = 0; attempt < 3; attempt++) {
    const minted = mintToken();
    try {
      const { rows } = await writeTokenChange(db, {
        change: db
          .insert(apiTokens)
          .values({
            name: input.name,
            nameKey: nameKey(input.name),
            description: input.description,
            tokenHash: minted.hash,
            prefix: minted.prefix,
            enabled: true,
            scope: input.scope,
            expiresAt,
            allowedIps: JSON.stringify(input.allowedIps),
            rateLimitPerMinute: input.rateLimitPerMinute,
            canary: input.canary,
            createdAt: Math.floor(now / 1000),
          })
          .returning(),
        auditAfter: auditTokensWhere(db, ctx, "token.create", eq(apiTokens.tokenHash, minted.hash), now, {
          scope: input.scope,
          expiresAt,
          allowedIps: input.allowedIps,
          rateLimitPerMinute: input.rateLimitPerMinute,
          ...(input.canary && { canary: true }),
        }),
      });
      return { ...viewOf(rows[0]!, now, policy), token: minted.plaintext };
    } catch (error) {
      // The UNIQUE indexes decide races: of N concurrent creates of one name, one commits.
      if (isNameTaken(error)) throw new DomainError(MSG.nameTaken);
      if (!isUniqueViolation(error, "api_tokens.token_hash")) throw error;
    }
  }
  throw new Error("could not mint a unique token");
}

/** Every token by id, as one array (the CLI; the HTTP list streams the same batches). */
export async function listTokens(db: Db, now = Date.now()): Promise<TokenView[]> {
  const policy = await readTokenPolicy(db);
  const views: TokenView[] = [];
  for await (const rows of tokenRowBatches(db)) for (const row of rows) views.push(viewOf(row, now, policy));
  return views;
}

export async function getToken(db: Db, id: number, now = Date.now()): Promise<TokenView> {
  const row = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
  if (!row) throw new DomainError(MSG.notFound);
  return viewOf(row, now, await readTokenPolicy(db));
}

function targetOf(id: number, expectedScope: string | undefined): SQL {
  // Fail closed: with an expectedScope the row must carry exactly that scope.
  return expectedScope === undefined
    ? eq(apiTokens.id, id)
    : and(eq(apiTokens.id, id), eq(apiTokens.scope, expectedScope as TokenScope))!;
}

/** Explains why a targeted write matched nothing. */
async function missingTokenError(db: Db, id: number, expectedScope: string | undefined): Promise<DomainError> {
  if (expectedScope === undefined) return new DomainError(MSG.notFound);
  const exists = await db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.id, id)).get();
  return new DomainError(exists ? MSG.scopeMismatch : MSG.notFound);
}

export async function setTokenEnabled(
  db: Db,
  input: { id: number; enabled: boolean; expectedScope?: string },
  ctx: AuditContext,
  now = Date.now(),
): Promise<void> {
  const where = targetOf(input.id, input.expectedScope);
  const { rows } = await writeTokenChange(db, {
    auditBefore: auditTokensWhere(db, ctx, input.enabled ? "token.enable" : "token.disable", where, now),
    change: db.update(apiTokens).set({ enabled: input.enabled }).where(where).returning({ id: apiTokens.id }),
  });
  if (rows.length === 0) throw await missingTokenError(db, input.id, input.expectedScope);
}

export async function deleteToken(
  db: Db,
  input: { id: number; expectedScope?: string },
  ctx: AuditContext,
  now = Date.now(),
): Promise<void> {
  const where = targetOf(input.id, input.expectedScope);
  const { rows } = await writeTokenChange(db, {
    auditBefore: auditTokensWhere(db, ctx, "token.delete", where, now),
    change: db.delete(apiTokens).where(where).returning({ id: apiTokens.id }),
  });
  if (rows.length === 0) throw await missingTokenError(db, input.id, input.expectedScope);
}

type FieldChange = { from: unknown; to: unknown };

/** What an edit would change: only fields given with a value other than the stored one. */
function changesOf(row: ApiTokenRow, input: UpdateTokenInput): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  if (input.name !== undefined && input.name !== row.name) changes.name = { from: row.name, to: input.name };
  if (input.description !== undefined && input.description !== row.description) {
    changes.description = { from: row.description, to: input.description };
  }
  if (input.expiresAt !== undefined && input.expiresAt !== row.expiresAt) changes.expiresAt = { from: row.expiresAt, to: input.expiresAt };
  if (input.rateLimitPerMinute !== undefined && input.rateLimitPerMinute !== row.rateLimitPerMinute) {
    changes.rateLimitPerMinute = { from: row.rateLimitPerMinute, to: input.rateLimitPerMinute };
  }
  if (input.scope !== undefined && input.scope !== row.scope) changes.scope = { from: row.scope, to: input.scope };
  if (input.allowedIps !== undefined) {
    const stored = JSON.parse(row.allowedIps) as string[];
    // A list is a set: the same entries in another order change nothing.
    const same = stored.length === input.allowedIps.length && input.allowedIps.every((ip) => stored.includes(ip));
    if (!same) changes.allowedIps = { from: stored, to: input.allowedIps };
  }
  return changes;
}

/** Optimistic attempts before an edit that keeps racing other edits gives up. */
const EDIT_ATTEMPTS = 3;

/**
 * Edit name, description, expiry, IP allowlist, rate limit and/or scope, with
 * the same rules as create (and `confirm` before a scope becomes admin: the
 * re-authentication gate). The audit row says what changed (`detail.changes`:
 * field → from, to); an edit that changes nothing writes nothing and answers
 * `nothing changed`.
 * An unchanged expiry is not checked, so an expired token can still get a new
 * name or allowlist.
 */
export async function updateToken(
  db: Db,
  id: number,
  input: UpdateTokenInput,
  ctx: AuditContext,
  now = Date.now(),
  confirm: () => Promise<void> = async () => undefined,
): Promise<{ view: TokenView; changed: boolean }> {
  const policy = await readTokenPolicy(db);
  for (let attempt = 0; attempt < EDIT_ATTEMPTS; attempt++) {
    const row = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
    if (!row) throw new DomainError(MSG.notFound);
    const changes = changesOf(row, input);
    if (Object.keys(changes).length === 0) return { view: viewOf(row, now, policy), changed: false };
    if (changes.expiresAt) assertExpiryInFuture(input.expiresAt!, now);
    if (!row.canary) {
      if (changes.expiresAt) assertPolicy(expiryProblem(policy, input.expiresAt!, now));
      const scope = input.scope ?? row.scope;
      const ips = input.allowedIps ?? (JSON.parse(row.allowedIps) as string[]);
      if (changes.allowedIps || changes.scope) assertPolicy(allowlistProblem(policy, scope, ips));
      // Widening to admin is new admin power, held to the lifetime rule as a new token is.
      if (changes.scope?.to === "admin" && !changes.expiresAt) assertPolicy(expiryProblem(policy, row.expiresAt, now));
    }
    if (changes.scope?.to === "admin") await confirm();
    // Only if the row is still as read, so `from` is what was really replaced.
    const where = and(
      eq(apiTokens.id, id),
      eq(apiTokens.name, row.name),
      eq(apiTokens.description, row.description),
      eq(apiTokens.expiresAt, row.expiresAt),
      eq(apiTokens.allowedIps, row.allowedIps),
      eq(apiTokens.rateLimitPerMinute, row.rateLimitPerMinute),
      eq(apiTokens.scope, row.scope),
    )!;
    try {
      const { rows } = await writeTokenChange(db, {
        // Before the update, so the row names the token as it was called.
        auditBefore: auditTokensWhere(db, ctx, "token.update", where, now, { changes }),
        change: db
          .update(apiTokens)
          .set({
            ...(changes.name && { name: input.name, nameKey: nameKey(input.name!) }),
            ...(changes.description && { description: input.description }),
            ...(changes.expiresAt && { expiresAt: input.expiresAt }),
            ...(changes.allowedIps && { allowedIps: JSON.stringify(input.allowedIps) }),
            ...(changes.rateLimitPerMinute && { rateLimitPerMinute: input.rateLimitPerMinute }),
            ...(changes.scope && { scope: input.scope }),
          })
          .where(where)
          .returning(),
      });
      if (rows[0]) return { view: viewOf(rows[0], now, policy), changed: true };
    } catch (error) {
      if (isNameTaken(error)) throw new DomainError(MSG.nameTaken);
      throw error;
    }
  }
  throw new Error(`token ${id} kept changing during an edit`);
}

/**
 * Gives a token a new plaintext (same id, name, scope, allowlist; the expiry
 * too unless `expiresAt` sets a new one). With a grace period the old
 * plaintext keeps working until it ends, so callers can switch without
 * downtime; without one it stops at once. A second rotation within the grace
 * period retires the first old plaintext immediately. An expired token is
 * rotated only with a new expiry (its new secret would be dead on arrival),
 * and then without grace: its old secret had stopped and stays stopped.
 * Under a token policy with a maximum lifetime, a new expiry must keep to it,
 * and a kept one beyond it (or none) is capped to it.
 */
export async function rotateToken(
  db: Db,
  id: number,
  input: RotateTokenInput,
  ctx: AuditContext,
  now = Date.now(),
  /** Runs once the token is found, before anything is written (the re-authentication gate for admin tokens). */
  confirm: (token: { scope: TokenScope }) => Promise<void> = async () => undefined,
): Promise<CreatedToken> {
  const graceSeconds = input.graceSeconds ?? 0;
  // 400, like every bad value of this field (rotate's expiresAt is this panel's own).
  if (input.expiresAt !== undefined && input.expiresAt !== 0 && input.expiresAt <= now) throw new HttpError(400, MSG.expiresAtInvalid);
  const policy = await readTokenPolicy(db);
  for (let attempt = 0; attempt < EDIT_ATTEMPTS; attempt++) {
    // Refused before the write, so a refusal bumps no generation; the write's WHERE holds if it expires meanwhile.
    const current = await db
      .select({ expiresAt: apiTokens.expiresAt, scope: apiTokens.scope, canary: apiTokens.canary })
      .from(apiTokens)
      .where(eq(apiTokens.id, id))
      .get();
    if (!current) throw new DomainError(MSG.notFound);
    await confirm(current);
    const expired = current.expiresAt !== 0 && current.expiresAt <= now;
    if (expired && input.expiresAt === undefined) throw new HttpError(400, MSG.rotateExpired);
    const policyError = !current.canary && input.expiresAt !== undefined ? expiryProblem(policy, input.expiresAt, now) : null;
    if (policyError) throw new HttpError(400, policyError);
    // A kept expiry beyond the policy's cap (or none) is capped, not refused, so a leaked secret can always be replaced.
    const cap = !current.canary && input.expiresAt === undefined ? latestExpiry(policy, now) : null;
    const capped = cap !== null && (current.expiresAt === 0 || current.expiresAt > cap);
    const minted = mintToken();
    const unexpired = or(eq(apiTokens.expiresAt, 0), gt(apiTokens.expiresAt, now))!;
    // Only over the row as read: the scope decided the confirmation, the expiry the cap.
    const asRead = and(eq(apiTokens.id, id), eq(apiTokens.scope, current.scope), eq(apiTokens.expiresAt, current.expiresAt))!;
    const where = input.expiresAt === undefined ? and(asRead, unexpired)! : asRead;
    const graceUntil = graceSeconds > 0 ? now + graceSeconds * 1000 : 0;
    const { rows } = await writeTokenChange(db, {
      auditBefore: auditTokensWhere(db, ctx, "token.rotate", where, now, {
        graceSeconds,
        ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }),
        ...(capped && { expiresAtCappedTo: cap }),
      }),
      change: db
        .update(apiTokens)
        .set({
          // SET expressions read the row as it was before this statement.
          previousTokenHash: graceSeconds > 0 ? sql`CASE WHEN ${unexpired} THEN ${apiTokens.tokenHash} END` : null,
          previousValidUntil: graceSeconds > 0 ? sql`CASE WHEN ${unexpired} THEN ${graceUntil} ELSE 0 END` : 0,
          tokenHash: minted.hash,
          prefix: minted.prefix,
          ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }),
          ...(capped && { expiresAt: cap }),
        })
        .where(where)
        .returning(),
    });
    if (rows[0]) return { ...viewOf(rows[0], now, policy), token: minted.plaintext };
    // Changed since it was read (scope or expiry), or gone: read it again.
  }
  throw new Error(`token ${id} kept changing during a rotation`);
}

/**
 * Leaked-credential revocation: disables every listed token that is on (by its
 * current plaintext or, during a grace period, its previous one) and audits
 * each. The caller answers the same either way; a secret that still worked is
 * off once the answer arrives, so the endpoint cannot be used to test tokens.
 */
export async function revokeLeakedTokens(
  db: Db,
  plaintexts: string[],
  ctx: AuditContext,
  now = Date.now(),
): Promise<number> {
  const hashes = [...new Set(plaintexts.filter(isPlausibleToken).map(hashToken))];
  if (hashes.length === 0) return 0;
  // A rotated-out secret names its token only while its grace lasts; past it, it must
  // not reach the replacement. A token already off needs nothing.
  const where = and(
    eq(apiTokens.enabled, true),
    or(inArray(apiTokens.tokenHash, hashes), and(inArray(apiTokens.previousTokenHash, hashes), gt(apiTokens.previousValidUntil, now))),
  )!;
  // Nothing matched: no write and no generation bump, so reports cannot flush every instance's cache.
  const matched = await db.select({ id: apiTokens.id }).from(apiTokens).where(where);
  if (matched.length === 0) return 0;
  const revoke = and(inArray(apiTokens.id, matched.map((m) => m.id)), where)!;
  const { rows } = await writeTokenChange(db, {
    auditBefore: auditTokensWhere(db, ctx, "token.leak_revoke", revoke, now, { source: "credential revocation" }),
    change: db.update(apiTokens).set({ enabled: false }).where(revoke).returning({ id: apiTokens.id }),
  });
  return rows.length;
}
