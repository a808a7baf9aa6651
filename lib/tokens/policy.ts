import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { tokenPolicy, type TokenPolicyRow } from "@/db/schema/token-policy";
import type { AuditContext } from "@/lib/audit/context";
import { auditIf } from "@/lib/audit/record";
import { commit } from "@/lib/db/commit";
import { DomainError } from "@/lib/errors";
import { countPolicyViolators } from "./policy-where";
import { NO_POLICY, POLICY_FIELDS, policyProblem, type TokenPolicy, type UpdateTokenPolicyInput } from "./policy-rules";

/**
 * The token policy, read from the database by every write it governs (no
 * cache: a save on one instance holds on the next request everywhere).
 */

const viewOf = (row: TokenPolicyRow | undefined): TokenPolicy =>
  row
    ? {
        maxLifetimeDays: row.maxLifetimeDays,
        defaultExpiryDays: row.defaultExpiryDays,
        adminRequiresAllowlist: row.adminRequiresAllowlist,
        disableOnReuse: row.disableOnReuse,
        updatedAt: row.updatedAt,
      }
    : NO_POLICY;

export async function readTokenPolicy(db: Db): Promise<TokenPolicy> {
  return viewOf(await db.select().from(tokenPolicy).where(eq(tokenPolicy.id, 1)).get());
}

/** Tries this often against concurrent saves (of N at once, each round commits one). */
const SAVE_ATTEMPTS = 10;

/**
 * Changes the given fields. Audited `policy.update` with what changed (field →
 * from, to) in the same transaction; a save that changes nothing writes nothing
 * (`changed: false`). Two concurrent saves do not overwrite each other's
 * fields: each writes only over the row it read.
 */
export async function saveTokenPolicy(
  db: Db,
  input: UpdateTokenPolicyInput,
  ctx: AuditContext,
  now = Date.now(),
): Promise<{ policy: TokenPolicy; changed: boolean }> {
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
    const current = await readTokenPolicy(db);
    const next: TokenPolicy = { ...current };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of POLICY_FIELDS) {
      const value = input[field];
      if (value === undefined || value === current[field]) continue;
      changes[field] = { from: current[field], to: value };
      (next as Record<string, unknown>)[field] = value;
    }
    if (Object.keys(changes).length === 0) return { policy: current, changed: false };
    const problem = policyProblem(next);
    if (problem) throw new DomainError(problem);
    next.updatedAt = Math.max(now, current.updatedAt + 1);
    const { updatedAt: _, ...values } = next;
    // The row is still the one this save read (absent counts as never saved).
    const unchanged = sql`coalesce((SELECT ${tokenPolicy.updatedAt} FROM ${tokenPolicy} WHERE ${tokenPolicy.id} = 1), 0) = ${current.updatedAt}`;
    const [, written] = await commit(db, [
      // First, so it is written exactly when the save below applies.
      auditIf(db, ctx, { action: "policy.update", target: { type: "policy", name: "token policy" }, detail: { changes } }, now, unchanged),
      db
        .insert(tokenPolicy)
        .values({ id: 1, ...values, updatedAt: next.updatedAt })
        .onConflictDoUpdate({ target: tokenPolicy.id, set: { ...values, updatedAt: next.updatedAt }, setWhere: unchanged })
        .returning({ id: tokenPolicy.id }),
    ]);
    if ((written as unknown[]).length > 0) return { policy: next, changed: true };
  }
  throw new Error("the token policy kept changing during a save");
}

/** The policy with the number of unexpired tokens that break it (`GET …/tokenPolicy`). */
export async function tokenPolicyStatus(db: Db, now = Date.now()): Promise<TokenPolicy & { violatingTokens: number }> {
  const policy = await readTokenPolicy(db);
  return { ...policy, violatingTokens: await countPolicyViolators(db, policy, now) };
}
