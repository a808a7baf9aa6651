import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { tokenState } from "@/db/schema/token-state";

// The generation is bumped only by ./write.ts, in the batch of each token change.

export async function readTokenGeneration(db: Db): Promise<number> {
  const row = await db.select({ g: tokenState.generation }).from(tokenState).where(eq(tokenState.id, 1)).get();
  return row?.g ?? 0;
}
