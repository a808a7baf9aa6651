import "server-only";
import { and, eq, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, type TokenScope } from "@/db/schema/api-tokens";
import { tokenState } from "@/db/schema/token-state";
import { ensureFresh, FRESHNESS_MS } from "@/lib/db/generation-watch";
import { writeInBackground } from "@/lib/db/outage";
import { hashToken, isPlausibleToken } from "./format";
import { readTokenGeneration } from "./generation";
import { compileAllowlist } from "./ip-allowlist";
import { certainlyUnknown, refreshKnownHashes } from "./known-hashes";
import { noteCanaryUse, noteReuse } from "./alarms";
import { clear, remember, stateOf, type CachedToken, type VerifierState } from "./token-cache";

export { invalidateTokenCache } from "./token-cache";

/**
 * Bearer verification with a per-process cache, so a request costs a SHA-256
 * and a Map lookup instead of a database round trip.
 *
 * Staleness is bounded by the token generation (lib/tokens/generation.ts):
 *  - a change made by this process clears the cache as soon as it commits, so
 *    the very next request sees it;
 *  - a change made elsewhere (another instance, the CLI) bumps the generation,
 *    which this process re-reads at most every FRESHNESS_MS while it serves
 *    bearer requests, so it is seen within FRESHNESS_MS plus one query.
 * The freshness bound (lib/db/generation-watch.ts): the cache answers only
 * while the generation was read by a query sent less than FRESHNESS_MS ago. Past it a request waits for a
 * successful read; if the database cannot be reached that read fails and the
 * request is answered 503 (lib/api/respond.ts), never from the cache, so a
 * token revoked elsewhere just before an outage is not accepted through it.
 * Expiry and grace periods are checked against the clock on every request, not
 * cached. Unknown hashes are cached too (as null) so a repeated bad token is
 * free; the cache is bounded. A set of all stored hash prefixes
 * (known-hashes.ts) answers never-seen random tokens without the database.
 */
/** lastUsedAt is written at most once per token per this interval. */
export const LAST_USED_WRITE_INTERVAL_S = 60;

/**
 * The token row for `hash`, with the generation read in the same statement:
 * `"stale"` when that is older than the one this process already knows. On
 * one database that happens when the read raced a generation read that ran
 * after it; read again, it is current. Only a database that goes back in time
 * (DATABASE_URL spreading reads over replicas at different points) stays
 * stale: such a row may predate a revocation, so it is neither trusted nor
 * cached.
 */
async function load(db: Db, s: VerifierState, hash: string): Promise<CachedToken | null | "stale"> {
  const row = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      scope: apiTokens.scope,
      enabled: apiTokens.enabled,
      expiresAt: apiTokens.expiresAt,
      allowedIps: apiTokens.allowedIps,
      tokenHash: apiTokens.tokenHash,
      previousValidUntil: apiTokens.previousValidUntil,
      lastUsedAt: apiTokens.lastUsedAt,
      rateLimitPerMinute: apiTokens.rateLimitPerMinute,
      canary: apiTokens.canary,
      generation: sql<number>`coalesce((SELECT ${tokenState.generation} FROM ${tokenState} WHERE ${tokenState.id} = 1), 0)`,
    })
    .from(apiTokens)
    // Two unique indexes, one query (SQLite's OR-by-union plan): the current
    // plaintext, or the previous one (valid during its grace, a reuse after it).
    .where(or(eq(apiTokens.tokenHash, hash), eq(apiTokens.previousTokenHash, hash)))
    .get();
  if (!row) return null;
  if (s.watch.generation !== null && row.generation < s.watch.generation) return "stale";
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    enabled: row.enabled,
    expiresAt: row.expiresAt,
    allow: compileAllowlist(JSON.parse(row.allowedIps) as string[]),
    validUntil: row.tokenHash === hash ? null : row.previousValidUntil,
    lastUsedAt: row.lastUsedAt,
    rateLimitPerMinute: row.rateLimitPerMinute,
    canary: row.canary,
    reuseNotedAt: 0,
  };
}

/** Who presents the token, and where: the address is checked, route and user agent go into alarm audits. */
export interface BearerRequest {
  ip: string;
  now?: number;
  /** `METHOD /path`. */
  route?: string;
  userAgent?: string;
}

export interface VerifiedToken {
  id: number;
  name: string;
  scope: TokenScope;
  /** 0 = no limit. */
  rateLimitPerMinute: number;
  /** Unix ms; 0 = never. */
  expiresAt: number;
}

/**
 * Resolves a presented bearer string to its token, or null. Unknown, disabled,
 * expired, rotated-out, malformed and wrong-IP tokens are all just null: the
 * caller cannot (and must not) tell them apart. Malformed `xui_` strings never
 * reach the database.
 */
export async function verifyBearerToken(
  db: Db,
  presented: string,
  request: BearerRequest,
): Promise<VerifiedToken | null> {
  if (!isPlausibleToken(presented)) return null;
  const now = request.now ?? Date.now();
  const s = stateOf(db);
  if (now - s.watch.checkedAt >= FRESHNESS_MS) await ensureFresh(s.watch, () => readTokenGeneration(db), () => clear(s));
  const hash = hashToken(presented);
  const cached = s.entries.get(hash);
  if (cached !== undefined) return accept(db, cached, hash, request, now);
  const epoch = s.epoch;
  refreshKnownHashes(db, s.known, epoch, () => s.epoch, now);
  // Random garbage is answered from the hash set and not cached (it would only evict real entries).
  if (certainlyUnknown(s.known, epoch, hash)) return null;
  let loaded = await load(db, s, hash);
  if (loaded === "stale") loaded = await load(db, s, hash);
  if (loaded === "stale") return null;
  if (s.epoch === epoch) remember(s, hash, loaded);
  return accept(db, loaded, hash, request, now);
}

/** The checks that depend on the clock and the caller, made on every request (never cached). */
function accept(db: Db, entry: CachedToken | null, hash: string, request: BearerRequest, now: number): VerifiedToken | null {
  if (!entry) return null;
  const { ip } = request;
  if (entry.canary) {
    noteCanaryUse(db, entry, { ip, route: request.route ?? "", userAgent: request.userAgent ?? "" }, now);
    noteUse(db, entry, ip, now);
    return null;
  }
  if (entry.validUntil !== null && entry.validUntil <= now) {
    noteReuse(db, entry, hash, { ip, route: request.route ?? "" }, now);
    return null;
  }
  if (!entry.enabled) return null;
  if (entry.expiresAt !== 0 && entry.expiresAt <= now) return null;
  if (entry.allow && !entry.allow(ip)) return null;
  noteUse(db, entry, ip, now);
  return { id: entry.id, name: entry.name, scope: entry.scope, rateLimitPerMinute: entry.rateLimitPerMinute, expiresAt: entry.expiresAt };
}

/**
 * Records the last use without a write per request: at most once per token per
 * minute from this process, and the UPDATE itself skips rows another instance
 * touched within the minute. Not awaited: it is telemetry, not part of the answer.
 */
function noteUse(db: Db, entry: CachedToken, ip: string, now: number): void {
  const nowS = Math.floor(now / 1000);
  if (nowS - entry.lastUsedAt < LAST_USED_WRITE_INTERVAL_S) return;
  entry.lastUsedAt = nowS;
  // The next use after the interval writes it again if this one is lost.
  writeInBackground(
    db.update(apiTokens)
      .set({ lastUsedAt: nowS, lastUsedIp: ip })
      .where(and(eq(apiTokens.id, entry.id), lte(apiTokens.lastUsedAt, nowS - LAST_USED_WRITE_INTERVAL_S))),
    "token last-use writes",
    "could not record token use",
    { tokenId: entry.id },
  );
}
