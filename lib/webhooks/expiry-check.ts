import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { auditEvents } from "@/db/schema/audit-events";
import { EXPIRY_NEVER_SORT_KEY } from "@/db/schema/constants";
import { tokenExpiryNotices } from "@/db/schema/token-expiry-notices";
import { commit } from "@/lib/db/commit";

/**
 * Expiry warnings, checked every minute: a token that expires within 7 days, and again within 1 day,
 * is audited `token.expiring` (by the system, "expiry check") once per
 * threshold and expiry; webhooks hear it as `token.expiring`. A token that
 * already expires within a day gets the 1-day warning only. Canaries and
 * disabled tokens are not warned about.
 */

const DAY_MS = 86_400_000;
export const EXPIRY_THRESHOLD_DAYS = [7, 1] as const;
const ACTOR = "expiry check";
/** The expiry index's key (db/schema/api-tokens.ts), written as the index is, so the range below is an index scan. */
const EXPIRY_KEY = sql`(CASE WHEN ${apiTokens.expiresAt} = 0 THEN ${sql.raw(String(EXPIRY_NEVER_SORT_KEY))} ELSE ${apiTokens.expiresAt} END)`;

/** One pass; returns the warnings it wrote. */
export async function warnExpiringTokens(db: Db, now = Date.now()): Promise<number> {
  const due = (days: number) => {
    const closer = EXPIRY_THRESHOLD_DAYS.filter((d) => d < days).at(0) ?? 0;
    return sql`${EXPIRY_KEY} > ${now + closer * DAY_MS} AND ${EXPIRY_KEY} <= ${now + days * DAY_MS}
      AND ${apiTokens.enabled} = 1 AND ${apiTokens.canary} = 0
      AND NOT EXISTS (SELECT 1 FROM ${tokenExpiryNotices} n WHERE n.token_id = ${apiTokens.id}
        AND n.expires_at = ${apiTokens.expiresAt} AND n.within_days = ${days})`;
  };
  // Read first: an hour with nothing to warn about writes nothing.
  const anyDue = sql.join(EXPIRY_THRESHOLD_DAYS.map((d) => sql`(${due(d)})`), sql` OR `);
  if ((await db.all(sql`SELECT 1 AS due FROM ${apiTokens} WHERE ${anyDue} LIMIT 1`)).length === 0) return 0;
  const statements = EXPIRY_THRESHOLD_DAYS.flatMap((days) => {
    // The audit rows first, while the notices that mark them done do not exist yet; one transaction.
    return [
      db.run(sql`
        INSERT INTO ${auditEvents} (at, action, outcome, actor_type, actor_id, actor_name, ip, target_type, target_id, target_name, detail)
        SELECT ${now}, 'token.expiring', 'success', 'system', NULL, ${ACTOR}, '', 'token', ${apiTokens.id}, ${apiTokens.name},
               json_object('withinDays', ${days}, 'expiresAt', ${apiTokens.expiresAt}, 'scope', ${apiTokens.scope})
        FROM ${apiTokens} WHERE ${due(days)}`),
      db.run(sql`
        INSERT INTO ${tokenExpiryNotices} (token_id, expires_at, within_days)
        SELECT ${apiTokens.id}, ${apiTokens.expiresAt}, ${days} FROM ${apiTokens} WHERE ${due(days)}`),
    ];
  });
  const results = (await commit(db, statements)) as { rowsAffected: number }[];
  return results.filter((_, i) => i % 2 === 0).reduce((n, r) => n + r.rowsAffected, 0);
}

/** Notices of expiries that have passed are no longer needed. */
export async function pruneExpiryNotices(db: Db, now = Date.now()): Promise<void> {
  await db.run(sql`DELETE FROM ${tokenExpiryNotices} WHERE expires_at < ${now - DAY_MS}`);
}
