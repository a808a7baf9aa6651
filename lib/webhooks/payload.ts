import "server-only";
import type { AuditEventRow } from "@/db/schema/audit-events";
import type { WebhookRow } from "@/db/schema/webhooks";
import type { AuditContext } from "@/lib/audit/context";
import { TEST_EVENT, type WebhookEvent } from "./events";
import type { WebhookPayload } from "./schemas";

/**
 * The JSON body of a delivery: the audit row's ids, names, address and detail,
 * which never hold a secret (lib/audit/record.ts), plus which panel sent it.
 * Built once, when queued; every attempt sends the same bytes.
 */
export function eventPayload(event: WebhookEvent, row: AuditEventRow, panel: string, extra: Record<string, unknown> = {}): string {
  const payload: WebhookPayload = {
    event,
    eventId: row.id,
    occurredAt: new Date(row.at).toISOString(),
    panel,
    actor: { type: row.actorType, name: row.actorName },
    ip: row.ip,
    target: { type: row.targetType, id: row.targetId, name: row.targetName },
    count: row.count,
    detail: { ...(JSON.parse(row.detail) as Record<string, unknown>), ...extra },
  };
  return JSON.stringify(payload);
}

export function testPayload(webhook: Pick<WebhookRow, "id" | "name">, ctx: AuditContext, panel: string, now: number): string {
  const payload: WebhookPayload = {
    event: TEST_EVENT,
    eventId: null,
    occurredAt: new Date(now).toISOString(),
    panel,
    actor: { type: ctx.actor.type, name: ctx.actor.name },
    ip: ctx.ip,
    target: { type: "webhook", id: webhook.id, name: webhook.name },
    count: 1,
    detail: { message: "a test delivery from xui-panel" },
  };
  return JSON.stringify(payload);
}
