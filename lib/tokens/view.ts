import type { ApiTokenRow } from "@/db/schema/api-tokens";
import { EXPIRES_SOON_MS } from "./list-options";
import type { TokenView } from "./schemas";

/** The public shape of a row (never the hash). */
export function viewOf(row: ApiTokenRow, now: number): TokenView {
  const expired = row.expiresAt !== 0 && row.expiresAt <= now;
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
    allowedIps: JSON.parse(row.allowedIps) as string[],
    rateLimitPerMinute: row.rateLimitPerMinute,
    graceUntil: row.previousTokenHash && row.previousValidUntil > now ? row.previousValidUntil : 0,
    canary: row.canary,
    reuseDetectedAt: row.reuseDetectedAt,
  };
}
