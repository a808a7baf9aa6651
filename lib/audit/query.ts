import "server-only";
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { AUDIT_ACTIONS, auditEvents } from "@/db/schema/audit-events";

export const AUDIT_PAGE_MAX = 200;

const positiveInt = (msg: string) => z.string().regex(/^[1-9][0-9]{0,15}$/, msg).transform(Number);

/** `GET /panel/api/setting/auditLog?limit=&before=&action=&tokenId=` */
export const auditLogQuery = z.object({
  limit: z
    .preprocess((v) => (v === "" ? undefined : v), positiveInt(`limit must be an integer from 1 to ${AUDIT_PAGE_MAX}`).optional())
    .transform((v) => Math.min(v ?? 50, AUDIT_PAGE_MAX)),
  before: z.preprocess((v) => (v === "" ? undefined : v), positiveInt("before must be an event id").optional()),
  action: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.enum(AUDIT_ACTIONS, { error: `action must be one of: ${AUDIT_ACTIONS.join(", ")}` }).optional(),
  ),
  tokenId: z.preprocess((v) => (v === "" ? undefined : v), positiveInt("tokenId must be a token id").optional()),
});
export type AuditLogQuery = z.output<typeof auditLogQuery>;

export const auditEventView = z.object({
  id: z.number().int(),
  /** Unix ms. */
  at: z.number().int(),
  action: z.enum(AUDIT_ACTIONS),
  outcome: z.enum(["success", "failure", "denied"]),
  actor: z.object({ type: z.enum(["session", "token", "anonymous", "system"]), id: z.number().int().nullable(), name: z.string() }),
  ip: z.string(),
  target: z.object({ type: z.string(), id: z.number().int().nullable(), name: z.string() }),
  detail: z.record(z.string(), z.unknown()),
  /** How many occurrences an aggregated row stands for (1 otherwise). */
  count: z.number().int(),
});
export type AuditEventView = z.output<typeof auditEventView>;

export const auditLogPage = z.object({
  events: z.array(auditEventView),
  /** Pass as `before` for the next (older) page; null at the end. */
  nextBefore: z.number().int().nullable(),
});
export type AuditLogPage = z.output<typeof auditLogPage>;

/** Newest first, paged by id. A token filter matches it as the target or the actor. */
export async function listAuditEvents(db: Db, query: AuditLogQuery): Promise<AuditLogPage> {
  const conditions: SQL[] = [];
  if (query.before !== undefined) conditions.push(lt(auditEvents.id, query.before));
  if (query.action !== undefined) conditions.push(eq(auditEvents.action, query.action));
  if (query.tokenId !== undefined) {
    conditions.push(
      or(
        and(eq(auditEvents.targetType, "token"), eq(auditEvents.targetId, query.tokenId)),
        and(eq(auditEvents.actorType, "token"), eq(auditEvents.actorId, query.tokenId)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(auditEvents)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    events: page.map((r) => ({
      id: r.id,
      at: r.at,
      action: r.action,
      outcome: r.outcome,
      actor: { type: r.actorType, id: r.actorId, name: r.actorName },
      ip: r.ip,
      target: { type: r.targetType, id: r.targetId, name: r.targetName },
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      count: r.count,
    })),
    nextBefore: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}
