import "server-only";
import { and, asc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, type ApiTokenRow, type TokenScope } from "@/db/schema/api-tokens";
import type { AuditContext } from "@/lib/audit/context";
import { auditTokensWhere } from "@/lib/audit/record";
import { isUniqueViolation } from "@/lib/db/errors";
import { DomainError } from "@/lib/errors";
import { hashToken, isPlausibleToken, mintToken } from "./format";
import { MSG, type CreateTokenInput, type CreatedToken, type TokenView, type UpdateTokenInput } from "./schemas";
import { writeTokenChange } from "./write";

export { verifyBearerToken, type VerifiedToken } from "./verifier";

const EXPIRES_SOON_MS = 7 * 86_400_000;

/** The public shape of a row (never the hash). */
export function viewOf(row: ApiTokenRow, now: number): TokenView {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    createdAt: row.createdAt,
    scope: row.scope,
    expiresAt: row.expiresAt,
    prefix: row.prefix,
    expiresSoon: row.expiresAt !== 0 && row.expiresAt > now && row.expiresAt - now <= EXPIRES_SOON_MS,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
    allowedIps: JSON.parse(row.allowedIps) as string[],
    graceUntil: row.previousTokenHash && row.previousValidUntil > now ? row.previousValidUntil : 0,
  };
}

function assertExpiryInFuture(expiresAt: number, now: number): void {
  if (expiresAt !== 0 && expiresAt <= now) throw new DomainError(MSG.expiresAtInvalid);
}

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
  assertExpiryInFuture(input.expiresAt, now);
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
            tokenHash: minted.hash,
            prefix: minted.prefix,
            enabled: true,
            scope: input.scope,
            expiresAt: input.expiresAt,
            allowedIps: JSON.stringify(input.allowedIps),
            createdAt: Math.floor(now / 1000),
          })
          .returning(),
        auditAfter: auditTokensWhere(db, ctx, "token.create", eq(apiTokens.tokenHash, minted.hash), now, {
          scope: input.scope,
          expiresAt: input.expiresAt,
          allowedIps: input.allowedIps,
        }),
      });
      return { ...viewOf(rows[0]!, now), token: minted.plaintext };
    } catch (error) {
      // The UNIQUE index decides races: of N concurrent creates of one name, one commits.
      if (isUniqueViolation(error, "api_tokens.name")) throw new DomainError(MSG.nameTaken);
      if (!isUniqueViolation(error, "api_tokens.token_hash")) throw error;
    }
  }
  throw new Error("could not mint a unique token");
}

export async function listTokens(db: Db, now = Date.now()): Promise<TokenView[]> {
  const rows = await db.select().from(apiTokens).orderBy(asc(apiTokens.id));
  return rows.map((row) => viewOf(row, now));
}

export async function getToken(db: Db, id: number, now = Date.now()): Promise<TokenView> {
  const row = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
  if (!row) throw new DomainError(MSG.notFound);
  return viewOf(row, now);
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

/** Edit name, expiry and/or IP allowlist, with the same rules as create. */
export async function updateToken(
  db: Db,
  id: number,
  input: UpdateTokenInput,
  ctx: AuditContext,
  now = Date.now(),
): Promise<TokenView> {
  if (input.expiresAt !== undefined) assertExpiryInFuture(input.expiresAt, now);
  const changes: Partial<typeof apiTokens.$inferInsert> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.expiresAt !== undefined) changes.expiresAt = input.expiresAt;
  if (input.allowedIps !== undefined) changes.allowedIps = JSON.stringify(input.allowedIps);
  const where = eq(apiTokens.id, id);
  try {
    const { rows } = await writeTokenChange(db, {
      // Before the update, so the row names the token as it was called.
      auditBefore: auditTokensWhere(db, ctx, "token.update", where, now, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }),
        ...(input.allowedIps !== undefined && { allowedIps: input.allowedIps }),
      }),
      change: db.update(apiTokens).set(changes).where(where).returning(),
    });
    if (rows.length === 0) throw new DomainError(MSG.notFound);
    return viewOf(rows[0]!, now);
  } catch (error) {
    if (isUniqueViolation(error, "api_tokens.name")) throw new DomainError(MSG.nameTaken);
    throw error;
  }
}

/**
 * Gives a token a new plaintext (same id, name, scope, expiry, allowlist). With
 * a grace period the old plaintext keeps working until it ends, so callers can
 * switch without downtime; without one it stops at once. A second rotation
 * within the grace period retires the first old plaintext immediately.
 */
export async function rotateToken(
  db: Db,
  id: number,
  graceSeconds: number,
  ctx: AuditContext,
  now = Date.now(),
): Promise<CreatedToken> {
  const minted = mintToken();
  const where = eq(apiTokens.id, id);
  const graceUntil = graceSeconds > 0 ? now + graceSeconds * 1000 : 0;
  const { rows } = await writeTokenChange(db, {
    auditBefore: auditTokensWhere(db, ctx, "token.rotate", where, now, { graceSeconds }),
    change: db
      .update(apiTokens)
      .set({
        previousTokenHash: graceSeconds > 0 ? sql`${apiTokens.tokenHash}` : null,
        previousValidUntil: graceUntil,
        tokenHash: minted.hash,
        prefix: minted.prefix,
      })
      .where(where)
      .returning(),
  });
  if (rows.length === 0) throw new DomainError(MSG.notFound);
  return { ...viewOf(rows[0]!, now), token: minted.plaintext };
}

/**
 * Leaked-credential revocation: disables every listed token that exists (its
 * current or, during a grace period, previous plaintext) and audits each. The
 * same statements run whether or not anything matches, and the caller answers
 * the same either way, so the endpoint reveals nothing.
 */
export async function revokeLeakedTokens(
  db: Db,
  plaintexts: string[],
  ctx: AuditContext,
  now = Date.now(),
): Promise<number> {
  const hashes = [...new Set(plaintexts.filter(isPlausibleToken).map(hashToken))];
  // An impossible hash keeps the statements identical when nothing is plausible.
  if (hashes.length === 0) hashes.push("-");
  const where = or(inArray(apiTokens.tokenHash, hashes), inArray(apiTokens.previousTokenHash, hashes))!;
  const { rows } = await writeTokenChange(db, {
    auditBefore: auditTokensWhere(db, ctx, "token.leak_revoke", where, now, { source: "credential revocation" }),
    change: db.update(apiTokens).set({ enabled: false }).where(where).returning({ id: apiTokens.id }),
  });
  return rows.length;
}
