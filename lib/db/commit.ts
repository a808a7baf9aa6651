import "server-only";
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "@/db/client";
import { writeSequence } from "@/db/schema/write-sequence";
import { logError, logWarn } from "@/lib/log";

/** How long an acknowledgement waits for a lagging replica before answering anyway. */
export const VISIBLE_WITHIN_MS = 5_000;

/**
 * Commits `statements` in one transaction (one round trip) together with a
 * bump of the write sequence, and returns their results, in order, once the
 * database this process reads from shows the commit.
 *
 * That matters on a sqld replica: writes go through to the primary, reads are
 * local, and the replica may answer the next request from before the write
 * (measured: 1 read in 5 after a write). Waiting here is what makes "the very
 * next request sees it" true there too: a disabled token is refused, a new
 * session is found, a created token is listed. On an embedded database or the
 * primary itself the first check passes.
 *
 * Every write the panel acknowledges to a caller goes through here; background
 * telemetry (last use, aggregated audit rows, throttle counters) does not need to.
 */
export async function commit(db: Db, statements: readonly BatchItem<"sqlite">[]): Promise<unknown[]> {
  const bump = db
    .insert(writeSequence)
    .values({ id: 1, seq: 1 })
    .onConflictDoUpdate({ target: writeSequence.id, set: { seq: sql`${writeSequence.seq} + 1` } })
    .returning({ seq: writeSequence.seq });
  const batch: BatchItem<"sqlite">[] = [...statements, bump];
  // Never empty (it ends with the bump); drizzle only wants that spelled as a tuple.
  const results = await db.batch(batch as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  const [bumped] = results.at(-1) as { seq: number }[];
  await untilVisible(db, bumped!.seq);
  return results.slice(0, -1);
}

/** The sequence as this process's database shows it. */
export async function readWriteSequence(db: Db): Promise<number> {
  const row = await db.select({ seq: writeSequence.seq }).from(writeSequence).where(eq(writeSequence.id, 1)).get();
  return row?.seq ?? 0;
}

/**
 * Polls until the local view has caught up with `seq` (a few ms on loopback).
 * The write is committed either way, so a replica that does not catch up, or
 * a read that fails, is logged and the write acknowledged: answering an error
 * would only make the caller repeat a write that happened.
 */
async function untilVisible(db: Db, seq: number): Promise<void> {
  // One process on one file (or several sharing it) always reads its own commits.
  if (db.$client.protocol === "file") return;
  const deadline = Date.now() + VISIBLE_WITHIN_MS;
  try {
    for (let pause = 2; (await readWriteSequence(db)) < seq; pause = Math.min(pause * 2, 50)) {
      if (Date.now() >= deadline) {
        logWarn("the database this panel reads from has not shown an acknowledged write yet", { seq, waitedMs: VISIBLE_WITHIN_MS });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  } catch (error) {
    logError("could not confirm an acknowledged write on the database this panel reads from", error, { seq });
  }
}
