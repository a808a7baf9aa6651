import "server-only";
import { and, count, eq, gt, like, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { latestExpiry, type TokenPolicy } from "./policy-rules";

/** Breaks a rule of `policy` (./policy-rules.ts violationsOf, in SQL): unexpired, not a canary. */
export function violatesPolicy(now: number, policy: TokenPolicy): SQL {
  const latest = latestExpiry(policy, now);
  const broken: SQL[] = [];
  if (latest !== null) broken.push(or(eq(apiTokens.expiresAt, 0), gt(apiTokens.expiresAt, latest))!);
  // Empty, or a `/0` range (policy-rules.ts limitsAddresses; entries are stored normalised, as JSON strings).
  const admitsAll = or(eq(apiTokens.allowedIps, "[]"), like(apiTokens.allowedIps, '%/0"%'))!;
  if (policy.adminRequiresAllowlist) broken.push(and(eq(apiTokens.scope, "admin"), admitsAll)!);
  if (broken.length === 0) return sql`0`;
  const unexpired = or(eq(apiTokens.expiresAt, 0), gt(apiTokens.expiresAt, now))!;
  return and(eq(apiTokens.canary, false), unexpired, or(...broken))!;
}

/** Unexpired tokens that break a rule of `policy`. */
export async function countPolicyViolators(db: Db, policy: TokenPolicy, now: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(apiTokens).where(violatesPolicy(now, policy));
  return row?.n ?? 0;
}
