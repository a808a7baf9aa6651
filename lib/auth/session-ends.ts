import "server-only";
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { sessions } from "@/db/schema/sessions";
import { commit } from "@/lib/db/commit";
import type { BatchItem } from "drizzle-orm/batch";
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
  const others = keepSessionHash === null ? eq(sessions.userId, userId) : and(eq(sessions.userId, userId), ne(sessions.idHash, keepSessionHash));
  await commit(db, [...statements, db.delete(sessions).where(others)]);
}
