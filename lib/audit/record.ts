import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { auditEvents, type AuditAction, type AuditOutcome } from "@/db/schema/audit-events";
import type { AuditContext } from "./context";

/**
 * Audit rows are built as statements, not written: the caller puts them in the
 * same transaction as the change they record (lib/db/commit.ts), so a change and its record
 * commit (or roll back) together.
 */
export interface AuditEntry {
  action: AuditAction;
  outcome?: AuditOutcome;
  target?: { type: string; id?: number | null; name?: string };
  detail?: Record<string, unknown>;
}

export function auditStatement(db: Db, ctx: AuditContext, entry: AuditEntry, now: number) {
  return db.insert(auditEvents).values({
    at: now,
    action: entry.action,
    outcome: entry.outcome ?? "success",
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorName: ctx.actor.name,
    ip: ctx.ip,
    targetType: entry.target?.type ?? "",
    targetId: entry.target?.id ?? null,
    targetName: entry.target?.name ?? "",
    detail: JSON.stringify(entry.detail ?? {}),
  });
}

/**
 * One audit row per token matching `where`, naming it as the target — read in
 * the same transaction as the change, so the row exists exactly when the
 * change found its token (and carries the name it had).
 */
export function auditTokensWhere(
  db: Db,
  ctx: AuditContext,
  action: AuditAction,
  where: SQL,
  now: number,
  detail: Record<string, unknown> = {},
) {
  return db.run(sql`
    INSERT INTO ${auditEvents} (at, action, outcome, actor_type, actor_id, actor_name, ip, target_type, target_id, target_name, detail)
    SELECT ${now}, ${action}, 'success', ${ctx.actor.type}, ${ctx.actor.id}, ${ctx.actor.name}, ${ctx.ip}, 'token',
           ${apiTokens.id}, ${apiTokens.name}, ${JSON.stringify(detail)}
    FROM ${apiTokens} WHERE ${where}`);
}

/**
 * `entry`'s row, written only if `condition` holds when the statement runs:
 * placed before a conditional change in one transaction, it records exactly
 * the changes that happen.
 */
export function auditIf(db: Db, ctx: AuditContext, entry: AuditEntry, now: number, condition: SQL) {
  return db.run(sql`
    INSERT INTO ${auditEvents} (at, action, outcome, actor_type, actor_id, actor_name, ip, target_type, target_id, target_name, detail)
    SELECT ${now}, ${entry.action}, ${entry.outcome ?? "success"}, ${ctx.actor.type}, ${ctx.actor.id}, ${ctx.actor.name}, ${ctx.ip},
           ${entry.target?.type ?? ""}, ${entry.target?.id ?? null}, ${entry.target?.name ?? ""}, ${JSON.stringify(entry.detail ?? {})}
    WHERE ${condition}`);
}
