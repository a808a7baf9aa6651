import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { tokenState } from "@/db/schema/token-state";

/**
 * The statement that marks every verification cache stale. Goes into the same
 * batch as the token change; an upsert, so no seed row is needed.
 */
export function bumpTokenGeneration(db: Db) {
  return db
    .insert(tokenState)
    .values({ id: 1, generation: 1 })
    .onConflictDoUpdate({ target: tokenState.id, set: { generation: sql`${tokenState.generation} + 1` } });
}

export async function readTokenGeneration(db: Db): Promise<number> {
  const row = await db.select({ g: tokenState.generation }).from(tokenState).where(eq(tokenState.id, 1)).get();
  return row?.g ?? 0;
}
