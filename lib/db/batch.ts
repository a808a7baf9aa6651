import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "@/db/client";

/** Drizzle's batch wants a non-empty tuple; callers check for emptiness themselves. */
export function nonEmpty(statements: BatchItem<"sqlite">[]): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  return statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];
}

/**
 * Runs statements atomically in one round trip (one write transaction),
 * without waiting for a replica: for counters, not for acknowledged writes
 * (lib/db/commit.ts). No statements, nothing runs.
 */
export async function runBatch(db: Db, statements: BatchItem<"sqlite">[]): Promise<void> {
  if (statements.length > 0) await db.batch(nonEmpty(statements));
}
