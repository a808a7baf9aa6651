import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import { sessions } from "@/db/schema/sessions";
import { sessionState } from "@/db/schema/session-state";
import { ensureFresh, FRESHNESS_MS, newGenerationWatch, type GenerationWatch } from "@/lib/db/generation-watch";

/**
 * Session verification from memory, under the rules token verification follows
 * (lib/tokens/verifier.ts): a change that ends sessions clears this process's
 * cache as soon as it commits (lib/auth/session-ends.ts) and bumps the session
 * generation, which every other process re-reads at most every FRESHNESS_MS
 * while it serves session requests. Clock checks (idle, absolute end,
 * re-authentication window) are made on every request by the caller; a cached
 * row that fails one is read again before the session is refused, because
 * another instance may have seen it since.
 */
export interface CachedSession {
  userId: number;
  username: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  credentialsChangedAt: number;
  authenticatedAt: number;
}

interface CacheState {
  entries: Map<string, CachedSession>;
  watch: GenerationWatch;
  /** Goes up on every clear: a read that started before a clear must not refill the cache. */
  epoch: number;
}

const MAX_ENTRIES = 10_000;
/**
 * One cache per database handle and process. Kept on globalThis (as the handle
 * is, db/index.ts): pages and route handlers are separate bundles with their
 * own copies of this module, and a sign-out committed by a route handler must
 * be seen by the very next page request too.
 */
const states: WeakMap<Db, CacheState> = ((globalThis as Record<symbol, WeakMap<Db, CacheState>>)[Symbol.for("xui-panel.session-cache")] ??=
  new WeakMap());

function stateOf(db: Db): CacheState {
  let s = states.get(db);
  if (!s) {
    s = { entries: new Map(), watch: newGenerationWatch(), epoch: 0 };
    states.set(db, s);
  }
  return s;
}

function clear(s: CacheState): void {
  s.entries.clear();
  s.epoch++;
}

/** Called after this process commits a change that ends sessions. */
export function invalidateSessionCache(db: Db): void {
  clear(stateOf(db));
}

/** Drops one entry, so the next lookup reads the database. */
export function forgetSession(db: Db, idHash: string): void {
  stateOf(db).entries.delete(idHash);
}

async function readSessionGeneration(db: Db): Promise<number> {
  const row = await db.select({ g: sessionState.generation }).from(sessionState).where(eq(sessionState.id, 1)).get();
  return row?.g ?? 0;
}

/** The row, with the generation read in the same statement; "stale" when that is older than the one known here. */
async function load(db: Db, s: CacheState, idHash: string): Promise<CachedSession | null | "stale"> {
  const row = await db
    .select({
      userId: sessions.userId,
      username: adminUsers.username,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      credentialsChangedAt: adminUsers.credentialsChangedAt,
      authenticatedAt: sessions.authenticatedAt,
      generation: sql<number>`coalesce((SELECT ${sessionState.generation} FROM ${sessionState} WHERE ${sessionState.id} = 1), 0)`,
    })
    .from(sessions)
    .innerJoin(adminUsers, eq(adminUsers.id, sessions.userId))
    .where(eq(sessions.idHash, idHash))
    .get();
  if (!row) return null;
  if (s.watch.generation !== null && row.generation < s.watch.generation) return "stale";
  const { generation: _, ...session } = row;
  return session;
}

/**
 * The session row behind `idHash`, from memory when it is fresh. Unknown ids
 * are not remembered: a new login elsewhere must be found at once, and random
 * cookies must not evict real sessions.
 */
export async function cachedSession(db: Db, idHash: string, now: number): Promise<CachedSession | null> {
  const s = stateOf(db);
  if (now - s.watch.checkedAt >= FRESHNESS_MS) await ensureFresh(s.watch, () => readSessionGeneration(db), () => clear(s));
  const cached = s.entries.get(idHash);
  if (cached) return cached;
  const epoch = s.epoch;
  let loaded = await load(db, s, idHash);
  if (loaded === "stale") loaded = await load(db, s, idHash);
  if (loaded === "stale" || loaded === null) return null;
  if (s.epoch === epoch) {
    if (s.entries.size >= MAX_ENTRIES) s.entries.delete(s.entries.keys().next().value!);
    s.entries.set(idHash, loaded);
  }
  return loaded;
}

/** The statement that tells every instance its cached sessions may be gone (see session-ends.ts). */
export function sessionGenerationBump(db: Db) {
  return db
    .insert(sessionState)
    .values({ id: 1, generation: 1 })
    .onConflictDoUpdate({ target: sessionState.id, set: { generation: sql`${sessionState.generation} + 1` } });
}
