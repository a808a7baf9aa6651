import "server-only";
import { gt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { noteAvailable, noteUnavailable } from "@/lib/db/outage";
import { logError } from "@/lib/log";

/**
 * Every stored token hash, as a sorted array of 64-bit prefixes (100,000
 * tokens = 800 KB). A presented token whose hash prefix is not in it is
 * certainly unknown, so a flood of random well-formed tokens is answered
 * without touching the database. A prefix that is present only means "ask
 * the database" (a false match needs two 64-bit prefixes to collide).
 *
 * The set is only trusted while it is known to be complete: any token change
 * (here or elsewhere, seen through the generation) makes it stale, and until a
 * reload finishes the verifier asks the database as it would without it.
 */
const RELOAD_DEBOUNCE_MS = 1_000;
/**
 * Rows read per statement. The embedded driver runs a statement synchronously,
 * so one 100,000-row read would stall every request for its whole duration;
 * in slices (with a yield between them) requests keep flowing meanwhile.
 */
const SLICE = 5_000;

export interface KnownHashes {
  /** Sorted prefixes, or null while none is loaded. */
  prefixes: BigUint64Array | null;
  /** The verifier epoch the prefixes are valid for. */
  epoch: number;
  loading?: Promise<void>;
  lastLoad: number;
}

export function emptyKnownHashes(): KnownHashes {
  return { prefixes: null, epoch: -1, lastLoad: 0 };
}

export function prefixOf(hash: string): bigint {
  return BigInt(`0x${hash.slice(0, 16)}`);
}

function contains(sorted: BigUint64Array, value: bigint): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** True only when the hash is certainly not stored (the set is current for `epoch`). */
export function certainlyUnknown(known: KnownHashes, epoch: number, hash: string): boolean {
  return known.prefixes !== null && known.epoch === epoch && !contains(known.prefixes, prefixOf(hash));
}

/**
 * Reloads the prefixes in the background if they are stale for `epoch`,
 * at most once a second. `currentEpoch` is read again afterwards: a change
 * that landed during the load leaves the set stale for the next round.
 */
export function refreshKnownHashes(db: Db, known: KnownHashes, epoch: number, currentEpoch: () => number, now: number): void {
  if (known.epoch === epoch || known.loading || now - known.lastLoad < RELOAD_DEBOUNCE_MS) return;
  known.lastLoad = now;
  known.loading = (async () => {
    try {
      const collected: bigint[] = [];
      for (let after = 0; ; ) {
        const rows = await db
          .select({
            id: apiTokens.id,
            p: sql<string>`substr(${apiTokens.tokenHash}, 1, 16)`,
            q: sql<string | null>`substr(${apiTokens.previousTokenHash}, 1, 16)`,
          })
          .from(apiTokens)
          .where(gt(apiTokens.id, after))
          .orderBy(apiTokens.id)
          .limit(SLICE);
        for (const row of rows) {
          collected.push(BigInt(`0x${row.p}`));
          if (row.q) collected.push(BigInt(`0x${row.q}`));
        }
        // A change landed meanwhile: this load would be incomplete; the next verify starts another.
        if (currentEpoch() !== epoch) return;
        if (rows.length < SLICE) break;
        after = rows[rows.length - 1]!.id;
        await new Promise((resolve) => setImmediate(resolve));
      }
      known.prefixes = BigUint64Array.from(collected).sort();
      noteAvailable("token hash set loads");
      known.epoch = epoch;
    } catch (error) {
      // The verifier asks the database as it would without the set; the next verify tries again.
      if (isDatabaseUnavailable(error)) noteUnavailable("token hash set loads", error);
      else logError("could not load the token hash set", error);
    } finally {
      known.loading = undefined;
    }
  })();
}
