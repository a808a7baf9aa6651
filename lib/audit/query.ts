import "server-only";
import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { containsText } from "@/lib/db/like";
import { AUDIT_ACTIONS, auditEvents, type AuditEventRow } from "@/db/schema/audit-events";

export const AUDIT_PAGE_MAX = 200;
export const AUDIT_TARGET_MAX_CHARS = 100;
export const AUDIT_EXPORT_FORMATS = ["csv", "json"] as const;

export const AUDIT_MSG = {
  from: "from must be a unix-ms timestamp",
  to: "to must be a unix-ms timestamp",
  range: "from must be before to",
  target: `target must be at most ${AUDIT_TARGET_MAX_CHARS} characters`,
  format: "format must be csv or json",
} as const;

const blankAsMissing = (v: unknown) => (v === "" ? undefined : v);
const positiveInt = (msg: string) => z.string().regex(/^[1-9][0-9]{0,15}$/, msg).transform(Number);
/** Unix ms, 0 up to year 9999. */
const unixMs = (msg: string) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,14})$/, msg)
    .transform(Number)
    .refine((n) => n <= 253_402_300_799_999, msg);

/** `GET /panel/api/setting/auditLog?limit=&before=&action=&tokenId=&from=&to=&target=&format=` */
export const auditLogQuery = z
  .object({
    limit: z
      .preprocess(blankAsMissing, positiveInt(`limit must be an integer from 1 to ${AUDIT_PAGE_MAX}`).optional())
      .transform((v) => Math.min(v ?? 50, AUDIT_PAGE_MAX)),
    before: z.preprocess(blankAsMissing, positiveInt("before must be an event id").optional()),
    action: z.preprocess(
      blankAsMissing,
      z.enum(AUDIT_ACTIONS, { error: `action must be one of: ${AUDIT_ACTIONS.join(", ")}` }).optional(),
    ),
    tokenId: z.preprocess(blankAsMissing, positiveInt("tokenId must be a token id").optional()),
    from: z.preprocess(blankAsMissing, unixMs(AUDIT_MSG.from).optional()).describe("Events at or after this time (Unix ms)."),
    to: z.preprocess(blankAsMissing, unixMs(AUDIT_MSG.to).optional()).describe("Events before this time (Unix ms)."),
    target: z
      .preprocess(
        blankAsMissing,
        z
          .string()
          .transform((s) => s.trim())
          .refine((s) => [...s].length <= AUDIT_TARGET_MAX_CHARS, AUDIT_MSG.target)
          .optional(),
      )
      .describe("A case-insensitive part of the target's name as the event recorded it (deleted tokens included)."),
    format: z
      .preprocess(blankAsMissing, z.enum(AUDIT_EXPORT_FORMATS, { error: AUDIT_MSG.format }).optional())
      .describe(
        "`csv` or `json`: every matching event (no paging), newest first, as a file download outside the envelope; `limit` and `before` do not apply.",
      ),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to) ctx.addIssue({ code: "custom", path: ["from"], message: AUDIT_MSG.range });
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

/** The filters of a query (everything but paging). A token filter matches it as the target or the actor. */
export function auditFilterWhere(query: AuditLogQuery): SQL[] {
  const conditions: SQL[] = [];
  if (query.action !== undefined) conditions.push(eq(auditEvents.action, query.action));
  if (query.tokenId !== undefined) {
    conditions.push(
      or(
        and(eq(auditEvents.targetType, "token"), eq(auditEvents.targetId, query.tokenId)),
        and(eq(auditEvents.actorType, "token"), eq(auditEvents.actorId, query.tokenId)),
      )!,
    );
  }
  if (query.from !== undefined) conditions.push(gte(auditEvents.at, query.from));
  if (query.to !== undefined) conditions.push(lt(auditEvents.at, query.to));
  if (query.target) conditions.push(containsText(auditEvents.targetName, query.target));
  return conditions;
}

export function eventViewOf(r: AuditEventRow): AuditEventView {
  return {
    id: r.id,
    at: r.at,
    action: r.action,
    outcome: r.outcome,
    actor: { type: r.actorType, id: r.actorId, name: r.actorName },
    ip: r.ip,
    target: { type: r.targetType, id: r.targetId, name: r.targetName },
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    count: r.count,
  };
}

/** Matching events older than `before` (an id), newest first. */
export function auditEventsBefore(db: Db, conditions: SQL[], before: number | undefined, limit: number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(...conditions, before !== undefined ? lt(auditEvents.id, before) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}

/** Newest first, paged by id. */
export async function listAuditEvents(db: Db, query: AuditLogQuery): Promise<AuditLogPage> {
  const rows = await auditEventsBefore(db, auditFilterWhere(query), query.before, query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    events: page.map(eventViewOf),
    nextBefore: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}
