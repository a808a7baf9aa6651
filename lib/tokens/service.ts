import { and, asc, eq, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, type TokenScope } from "@/db/schema/api-tokens";
import { DomainError } from "@/lib/errors";
import { isUniqueViolation } from "@/lib/db/errors";
import { hashToken, isPlausibleToken, mintToken } from "./format";
import { MSG, type CreateTokenInput, type CreatedToken, type TokenView } from "./schemas";

const viewColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  enabled: apiTokens.enabled,
  createdAt: apiTokens.createdAt,
  scope: apiTokens.scope,
  expiresAt: apiTokens.expiresAt,
  prefix: apiTokens.prefix,
};

function assertExpiryInFuture(expiresAt: number, now: number): void {
  if (expiresAt !== 0 && expiresAt <= now) throw new DomainError(MSG.expiresAtInvalid);
}

/**
 * Mints a token and stores its hash. The plaintext is in the result and
 * nowhere else; the caller shows it once.
 */
export async function createToken(db: Db, input: CreateTokenInput, now = Date.now()): Promise<CreatedToken> {
  assertExpiryInFuture(input.expiresAt, now);
  // A hash collision of two fresh 178-bit tokens will not happen; the loop is
  // there so that even then the caller gets a token rather than an error.
  for (let attempt = 0; attempt < 3; attempt++) {
    const minted = mintToken();
    try {
      const [row] = await db
        .insert(apiTokens)
        .values({
          name: input.name,
          tokenHash: minted.hash,
          prefix: minted.prefix,
          enabled: true,
          scope: input.scope,
          expiresAt: input.expiresAt,
          createdAt: Math.floor(now / 1000),
        })
        .returning(viewColumns);
      return { ...row!, token: minted.plaintext };
    } catch (error) {
      // The UNIQUE index decides races: of N concurrent creates of one name, one commits.
      if (isUniqueViolation(error, "api_tokens.name")) throw new DomainError(MSG.nameTaken);
      if (!isUniqueViolation(error, "api_tokens.token_hash")) throw error;
    }
  }
  throw new Error("could not mint a unique token");
}

export async function listTokens(db: Db): Promise<TokenView[]> {
  return db.select(viewColumns).from(apiTokens).orderBy(asc(apiTokens.id));
}

function targetOf(id: number, expectedScope: string | undefined): SQL | undefined {
  // Fail closed: with an expectedScope the row must carry exactly that scope.
  return expectedScope === undefined
    ? eq(apiTokens.id, id)
    : and(eq(apiTokens.id, id), eq(apiTokens.scope, expectedScope as TokenScope));
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
): Promise<void> {
  const updated = await db
    .update(apiTokens)
    .set({ enabled: input.enabled })
    .where(targetOf(input.id, input.expectedScope))
    .returning({ id: apiTokens.id });
  if (updated.length === 0) throw await missingTokenError(db, input.id, input.expectedScope);
}

export async function deleteToken(db: Db, input: { id: number; expectedScope?: string }): Promise<void> {
  const deleted = await db
    .delete(apiTokens)
    .where(targetOf(input.id, input.expectedScope))
    .returning({ id: apiTokens.id });
  if (deleted.length === 0) throw await missingTokenError(db, input.id, input.expectedScope);
}

export interface VerifiedToken {
  id: number;
  name: string;
  scope: TokenScope;
}

/**
 * Resolves a presented bearer string to the token it proves, or null. Unknown,
 * disabled, expired and malformed tokens are all just null: the caller cannot
 * (and must not) tell them apart. Malformed `xui_` strings never reach the
 * database; the rest is one point lookup on the unique hash index.
 */
export async function verifyBearerToken(db: Db, presented: string, now = Date.now()): Promise<VerifiedToken | null> {
  if (!isPlausibleToken(presented)) return null;
  const row = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      enabled: apiTokens.enabled,
      expiresAt: apiTokens.expiresAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.tokenHash, hashToken(presented)))
    .get();
  if (!row || !row.enabled || (row.expiresAt !== 0 && row.expiresAt <= now)) return null;
  return { id: row.id, name: row.name, scope: row.scope };
}
