import "server-only";
import type { Db } from "@/db/client";
import type { TokenScope } from "@/db/schema/api-tokens";
import { newGenerationWatch, type GenerationWatch } from "@/lib/db/generation-watch";
import type { IpMatcher } from "./ip-allowlist";
import { emptyKnownHashes, type KnownHashes } from "./known-hashes";

/**
 * The bearer verifier's per-process cache (./verifier.ts says how it stays
 * fresh), apart from the verifier so that the writer (./write.ts) can clear it
 * without importing the request path.
 */

/** Bounded: the oldest tenth goes when it is full. */
const MAX_ENTRIES = 20_000;

export interface CachedToken {
  id: number;
  name: string;
  scope: TokenScope;
  enabled: boolean;
  expiresAt: number;
  allow: IpMatcher | null;
  /** Set when this hash is a rotated-out plaintext: valid until then (Unix ms). */
  validUntil: number | null;
  /** Unix s, as last written (by anyone we know of). */
  lastUsedAt: number;
  rateLimitPerMinute: number;
  /** A decoy: never accepted, every use recorded (./alarms.ts). */
  canary: boolean;
  /** Unix ms this process last recorded a reuse of the rotated-out secret (./alarms.ts). */
  reuseNotedAt: number;
}

export interface VerifierState {
  entries: Map<string, CachedToken | null>;
  known: KnownHashes;
  watch: GenerationWatch;
  /** Goes up on every clear: a lookup that started before a clear must not refill the cache. */
  epoch: number;
}

const states = new WeakMap<Db, VerifierState>();

export function stateOf(db: Db): VerifierState {
  let s = states.get(db);
  if (!s) {
    s = { entries: new Map(), known: emptyKnownHashes(), watch: newGenerationWatch(), epoch: 0 };
    states.set(db, s);
  }
  return s;
}

export function clear(s: VerifierState): void {
  s.entries.clear();
  s.epoch++;
}

/** Called after this process commits a token change. */
export function invalidateTokenCache(db: Db): void {
  clear(stateOf(db));
}

export function remember(s: VerifierState, hash: string, entry: CachedToken | null): void {
  if (s.entries.size >= MAX_ENTRIES) {
    // Drop the oldest tenth (Map keeps insertion order).
    let n = MAX_ENTRIES / 10;
    for (const key of s.entries.keys()) {
      s.entries.delete(key);
      if (--n <= 0) break;
    }
  }
  s.entries.set(hash, entry);
}

