import "server-only";
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "@/db/client";
import { writeSequence } from "@/db/schema/write-sequence";
import { logError, logWarn } from "@/lib/log";
import { nonEmpty } from "./batch";
import { isDatabaseUnavailable } from "./errors";
import { noteUnavailable } from "./outage";

/** How long an acknowledgement waits for a lagging replica before answering anyway. */
const VISIBLE_WITHIN_MS = 5_000;

/**
 * Commits `statements` in one transaction (one round trip) together with a
 * bump of the write sequence (db/schema/write-sequence.ts), and returns their
 * results, in order, once the database this process reads from shows the
 * commit: on a sqld replica, that is what makes the very next request see the
 * write (a disabled token refused, a new session found, a created token
 * listed). On an embedded database, or the primary itself, nothing waits.
 *
 * Every write the panel acknowledges to a caller goes through here; background
 * telemetry (last use, aggregated audit rows, throttle counters) does not.
 */
export async function commit(db: Db, statements: readonly BatchItem<"sqlite">[]): Promise<unknown[]> {
  const bump = db
    .insert(writeSequence)
    .values({ id: 1, seq: 1 })
    .onConflictDoUpdate({ target: writeSequence.id, set: { seq: sql`${writeSequence.seq} + 1` } })
    .returning({ seq: writeSequence.seq });
  const results = await db.batch(nonEmpty([...statements, bump]));
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
 * Polls until the local view has caught up with `seq` (a few ms on loopback),
 * for about `withinMs` (a read in progress is not cut short). The write is
 * committed either way, so a replica that does not catch up, or a read that
 * fails, is logged and the write acknowledged: an error would only make the
 * caller repeat a write that happened.
 */
export async function untilVisible(db: Db, seq: number, withinMs = VISIBLE_WITHIN_MS): Promise<"seen" | "late" | "unknown"> {
  // Every connection to a file sees every commit made to it.
  if (db.$client.protocol === "file") return "seen";
  const deadline = Date.now() + withinMs;
  let pause = 2;
  try {
    while ((await readWriteSequence(db)) < seq) {
      if (Date.now() >= deadline) {
        logWarn("the database this panel reads from has not shown an acknowledged write yet", { seq, waitedMs: withinMs });
        return "late";
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 50);
    }
    return "seen";
  } catch (error) {
    if (isDatabaseUnavailable(error)) noteUnavailable("write confirmations", error);
    else logError("could not confirm an acknowledged write on the database this panel reads from", error, { seq });
    return "unknown";
  }
}
