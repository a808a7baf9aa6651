import "server-only";
import { and, eq, ne } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "@/db/client";
import { sessions } from "@/db/schema/sessions";
import { commit } from "@/lib/db/commit";
import { invalidateSessionCache, sessionGenerationBump } from "./session-cache";

/**
 * Every change that ends sessions commits through here: with the session
 * generation bumped in the same transaction (other instances refuse the ended
 * sessions within the freshness bound) and this process's cache cleared once
 * it has committed (refused on the very next request here).
 */
export async function commitSessionChanges(db: Db, statements: readonly BatchItem<"sqlite">[]): Promise<unknown[]> {
  const results = await commit(db, [...statements, sessionGenerationBump(db)]);
  invalidateSessionCache(db);
  return results.slice(0, -1);
}

/**
 * Commits `statements` together with the end of every session of `userId` except `keepSessionHash`
 * (null: all of them), in one transaction.
 */
export async function commitEndingSessions(
  db: Db,
  userId: number,
  keepSessionHash: string | null,
  statements: BatchItem<"sqlite">[],
): Promise<void> {
  const others =
    keepSessionHash === null ? eq(sessions.userId, userId) : and(eq(sessions.userId, userId), ne(sessions.idHash, keepSessionHash));
  await commitSessionChanges(db, [...statements, db.delete(sessions).where(others)]);
}

/** Ends every session of every admin (a restored database), with `statements`. */
export async function commitEndingAllSessions(db: Db, statements: BatchItem<"sqlite">[]): Promise<void> {
  await commitSessionChanges(db, [...statements, db.delete(sessions)]);
}
