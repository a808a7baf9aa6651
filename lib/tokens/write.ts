import "server-only";
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { Db } from "@/db/client";
import { commit } from "@/lib/db/commit";
import { tokenState } from "@/db/schema/token-state";
import type { auditStatement, auditTokensWhere } from "@/lib/audit/record";
import { invalidateTokenCache } from "./token-cache";

/**
 * The one way to change api_tokens. Every instance caches verified tokens with
 * no TTL and only notices a change through the token generation, so a write
 * that skipped the bump would leave a revoked token working elsewhere; and an
 * unaudited change is one nobody can account for. Here both are part of the
 * write, in its transaction.
 *
 * Telemetry (lastUsedAt in verifier.ts noteUse, reuseDetectedAt in alarms.ts)
 * and the name-key backfill (name-keys.ts) deliberately bypass this: they
 * change nothing verification reads, so there is nothing to invalidate or audit.
 */

/** An audit_events statement from lib/audit/record.ts. */
export type AuditStatement = ReturnType<typeof auditTokensWhere> | ReturnType<typeof auditStatement>;

/** A statement on api_tokens; `R` is what it yields (its returning() rows). */
export type TokenChange<R> = RunnableQuery<R, "sqlite">;

/**
 * A change and its audit, which is required. Its place matters: `auditBefore`
 * sees the token as it was (still there for a delete, under its old name),
 * `auditAfter` as the change left it (a token that did not exist before).
 */
export type TokenWrite<R> =
  | { auditBefore: AuditStatement; change: TokenChange<R>; auditAfter?: never }
  | { auditBefore?: never; change: TokenChange<R>; auditAfter: AuditStatement };

/** Marks every instance's verification cache stale; an upsert, so no seed row is needed. */
function bumpTokenGeneration(db: Db) {
  return db
    .insert(tokenState)
    .values({ id: 1, generation: 1 })
    .onConflictDoUpdate({ target: tokenState.id, set: { generation: sql`${tokenState.generation} + 1` } });
}

/**
 * Commits the writes, their audits and one generation bump in one transaction
 * (lib/db/commit.ts, which also waits for a lagging replica), then drops this
 * process's cache so its very next request sees the change. Results come back
 * in the order of `writes`. No writes: no transaction and no bump.
 */
export async function writeTokenChanges<R>(db: Db, writes: readonly TokenWrite<R>[]): Promise<{ rows: R }[]> {
  if (writes.length === 0) return [];
  const statements: BatchItem<"sqlite">[] = [];
  const changeAt: number[] = [];
  for (const write of writes) {
    if (write.auditBefore) statements.push(write.auditBefore);
    changeAt.push(statements.push(write.change) - 1);
    if (write.auditAfter) statements.push(write.auditAfter);
  }
  statements.push(bumpTokenGeneration(db));
  const results = await commit(db, statements);
  invalidateTokenCache(db);
  return changeAt.map((i) => ({ rows: results[i] as R }));
}

/** writeTokenChanges for a single write. */
export async function writeTokenChange<R>(db: Db, write: TokenWrite<R>): Promise<{ rows: R }> {
  const [result] = await writeTokenChanges(db, [write]);
  return result!;
}
