import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "@/db/client";

/**
 * Runs statements atomically in one round trip (one write transaction). Drizzle
 * wants a non-empty tuple; this takes any array.
 */
export async function runBatch(db: Db, statements: BatchItem<"sqlite">[]): Promise<void> {
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
