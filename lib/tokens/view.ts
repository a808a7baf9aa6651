import type { ApiTokenRow } from "@/db/schema/api-tokens";
import { EXPIRES_SOON_MS } from "./list-options";
import { violationsOf, type TokenPolicy } from "./policy-rules";
import type { TokenView } from "./schemas";

/** The public shape of a row (never the hash), with the rules of `policy` it breaks. */
export function viewOf(row: ApiTokenRow, now: number, policy: TokenPolicy): TokenView {
  const expired = row.expiresAt !== 0 && row.expiresAt <= now;
  const allowedIps = JSON.parse(row.allowedIps) as string[];
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    createdAt: row.createdAt,
    scope: row.scope,
    expiresAt: row.expiresAt,
    prefix: row.prefix,
    expiresSoon: row.expiresAt !== 0 && !expired && row.expiresAt - now <= EXPIRES_SOON_MS,
    expired,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
    allowedIps,
    rateLimitPerMinute: row.rateLimitPerMinute,
    graceUntil: row.previousTokenHash && row.previousValidUntil > now ? row.previousValidUntil : 0,
    canary: row.canary,
    reuseDetectedAt: row.reuseDetectedAt,
    policyViolations: violationsOf(policy, { scope: row.scope, expiresAt: row.expiresAt, allowedIps, canary: row.canary }, now),
  };
}
