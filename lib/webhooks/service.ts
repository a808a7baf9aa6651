import "server-only";
import { randomBytes } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditEvents } from "@/db/schema/audit-events";
import { webhookDeliveries, type WebhookDeliveryRow } from "@/db/schema/webhook-deliveries";
import { webhooks, type WebhookRow } from "@/db/schema/webhooks";
import type { AuditContext } from "@/lib/audit/context";
import { auditIf } from "@/lib/audit/record";
import { commit } from "@/lib/db/commit";
import { encryptSecret } from "@/lib/crypto/panel-key";
import { DomainError, HttpError } from "@/lib/errors";
import { ensurePanelGuid } from "@/lib/server-status/panel-guid";
import { checkWebhookTarget } from "./address-guard";
import { TEST_EVENT, type WebhookEvent } from "./events";
import { testPayload } from "./payload";
import {
  DELIVERY_LOG_MAX,
  WEBHOOK_MSG,
  type CreateWebhookInput,
  type CreatedWebhook,
  type DeliveryView,
  type UpdateWebhookInput,
  type WebhookView,
} from "./schemas";

/** Webhook settings: one function per use case, each change audited in its own transaction. */

/** AES-GCM associated data of every signing secret's box (one for all: the id is not known before the insert). */
export const SECRET_CONTEXT = "webhook";

/** Read in the write's own transaction: no event can commit between it and the webhook's start. */
const NEWEST_EVENT = sql<number>`(SELECT coalesce(max(${auditEvents.id}), 0) FROM ${auditEvents})`;

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;
/**
 * A URL as the audit log keeps it: scheme, host and port. Chat services put
 * the credential in the path (Slack, Discord), and the audit log outlives the webhook.
 */
export function auditedUrl(url: string): string {
  const u = new URL(url);
  return u.pathname === "/" && !u.search ? u.origin : `${u.origin}/…`;
}

const notFound = () => new HttpError(404, WEBHOOK_MSG.notFound);
const targetOf = (row: Pick<WebhookRow, "id" | "name">) => ({ type: "webhook", id: row.id, name: row.name });

export function deliveryViewOf(row: WebhookDeliveryRow): DeliveryView {
  return {
    id: row.id,
    event: row.event,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    lastAttemptAt: row.lastAttemptAt,
    createdAt: row.createdAt,
  };
}

function viewOf(row: WebhookRow, last: WebhookDeliveryRow | undefined): WebhookView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastDelivery: last ? deliveryViewOf(last) : null,
  };
}

async function lastDelivery(db: Db, webhookId: number) {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId)).orderBy(desc(webhookDeliveries.id)).limit(1).get();
}

export async function listWebhooks(db: Db): Promise<WebhookView[]> {
  const rows = await db.select().from(webhooks).orderBy(webhooks.id);
  return Promise.all(rows.map(async (row) => viewOf(row, await lastDelivery(db, row.id))));
}

async function findWebhook(db: Db, id: number): Promise<WebhookRow> {
  const row = await db.select().from(webhooks).where(eq(webhooks.id, id)).get();
  if (!row) throw notFound();
  return row;
}

export async function getWebhook(db: Db, id: number): Promise<WebhookView> {
  return viewOf(await findWebhook(db, id), await lastDelivery(db, id));
}

async function ensureReachable(url: string, allowPrivate: boolean): Promise<void> {
  const problem = await checkWebhookTarget(url, allowPrivate);
  if (problem) throw new DomainError(problem);
}

/** A new webhook and its signing secret (returned this once); it hears events from now on. */
export async function createWebhook(
  db: Db,
  input: CreateWebhookInput,
  ctx: AuditContext,
  options: { allowPrivate: boolean },
  now = Date.now(),
): Promise<CreatedWebhook> {
  await ensureReachable(input.url, options.allowPrivate);
  const secret = newSecret();
  const [inserted] = (await commit(db, [
    db
      .insert(webhooks)
      .values({
        name: input.name,
        url: input.url,
        secretBox: encryptSecret(secret, SECRET_CONTEXT, "webhook-secret"),
        events: JSON.stringify(input.events),
        enabled: input.enabled,
        fromEventId: NEWEST_EVENT,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    // The new row is the one with the highest id: its audit names it.
    db.run(sql`
      INSERT INTO ${auditEvents} (at, action, outcome, actor_type, actor_id, actor_name, ip, target_type, target_id, target_name, detail)
      SELECT ${now}, 'webhook.create', 'success', ${ctx.actor.type}, ${ctx.actor.id}, ${ctx.actor.name}, ${ctx.ip}, 'webhook', id, name,
             json_object('url', ${auditedUrl(input.url)}, 'events', json(events), 'enabled', enabled)
      FROM ${webhooks} WHERE id = (SELECT max(id) FROM ${webhooks})`),
  ])) as [WebhookRow[]];
  return { ...viewOf(inserted![0]!, undefined), secret };
}

/**
 * Changes the given fields; audited `webhook.update` with what changed. A new
 * URL, turning it off or dropping events first asks `confirm` (re-authentication);
 * a new URL is checked like a created one. The
 * write applies only over the row as read, so two concurrent edits cannot
 * record changes the other overwrote.
 */
export async function updateWebhook(
  db: Db,
  id: number,
  input: UpdateWebhookInput,
  ctx: AuditContext,
  options: { allowPrivate: boolean },
  now = Date.now(),
  confirm: () => Promise<void> = async () => {},
): Promise<{ webhook: WebhookView; changed: boolean }> {
  const row = await findWebhook(db, id);
  const current = { name: row.name, url: row.url, events: JSON.parse(row.events) as WebhookEvent[], enabled: row.enabled };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of ["name", "url", "events", "enabled"] as const) {
    const value = input[field];
    if (value === undefined || JSON.stringify(value) === JSON.stringify(current[field])) continue;
    changes[field] = field === "url" ? { from: auditedUrl(current.url), to: auditedUrl(value as string) } : { from: current[field], to: value };
  }
  if (Object.keys(changes).length === 0) return { webhook: await getWebhook(db, id), changed: false };
  // Sent elsewhere, or less of it: what someone with a stolen session would do to go unnoticed.
  const quieter =
    changes.url !== undefined ||
    (changes.enabled !== undefined && input.enabled === false) ||
    (changes.events !== undefined && current.events.some((e) => !input.events!.includes(e)));
  if (quieter) await confirm();
  if (changes.url) await ensureReachable(input.url!, options.allowPrivate);
  // Turned back on: it hears what happens from now, not what it missed while off.
  const restart = changes.enabled && input.enabled;
  const updatedAt = Math.max(now, row.updatedAt + 1);
  const unchanged = sql`EXISTS (SELECT 1 FROM ${webhooks} WHERE ${webhooks.id} = ${id} AND ${webhooks.updatedAt} = ${row.updatedAt})`;
  const [, written] = (await commit(db, [
    auditIf(db, ctx, { action: "webhook.update", target: targetOf(row), detail: { changes } }, now, unchanged),
    db
      .update(webhooks)
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.url !== undefined && { url: input.url }),
        ...(input.events !== undefined && { events: JSON.stringify(input.events) }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        ...(restart && { fromEventId: NEWEST_EVENT }),
        updatedAt,
      })
      .where(and(eq(webhooks.id, id), eq(webhooks.updatedAt, row.updatedAt)))
      .returning({ id: webhooks.id }),
  ])) as [unknown, unknown[]];
  if (written.length === 0) throw await conflictOrGone(db, id);
  return { webhook: await getWebhook(db, id), changed: true };
}

/** Deletes the webhook and its delivery log; audited `webhook.delete`. */
export async function deleteWebhook(db: Db, id: number, ctx: AuditContext, now = Date.now()): Promise<void> {
  const row = await findWebhook(db, id);
  const exists = sql`EXISTS (SELECT 1 FROM ${webhooks} WHERE ${webhooks.id} = ${id})`;
  const [, removed] = (await commit(db, [
    auditIf(db, ctx, { action: "webhook.delete", target: targetOf(row), detail: { url: auditedUrl(row.url) } }, now, exists),
    db.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id }),
    db.delete(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id)),
  ])) as [unknown, unknown[]];
  if (removed.length === 0) throw notFound();
}

/**
 * A new signing secret (returned this once); the old one stops signing at
 * once. Audited `webhook.rotate_secret`. Written only over the row as read, so
 * of two at once the second is refused rather than answered with a secret that
 * never signs.
 */
export async function rotateWebhookSecret(db: Db, id: number, ctx: AuditContext, now = Date.now()): Promise<{ secret: string }> {
  const row = await findWebhook(db, id);
  const secret = newSecret();
  const unchanged = sql`EXISTS (SELECT 1 FROM ${webhooks} WHERE ${webhooks.id} = ${id} AND ${webhooks.updatedAt} = ${row.updatedAt})`;
  const [, written] = (await commit(db, [
    auditIf(db, ctx, { action: "webhook.rotate_secret", target: targetOf(row) }, now, unchanged),
    db
      .update(webhooks)
      .set({ secretBox: encryptSecret(secret, SECRET_CONTEXT, "webhook-secret"), updatedAt: Math.max(now, row.updatedAt + 1) })
      .where(and(eq(webhooks.id, id), eq(webhooks.updatedAt, row.updatedAt)))
      .returning({ id: webhooks.id }),
  ])) as [unknown, unknown[]];
  if (written.length === 0) throw await conflictOrGone(db, id);
  return { secret };
}

/** Why a write over the row as read matched nothing: it was deleted (404), or changed meanwhile. */
async function conflictOrGone(db: Db, id: number): Promise<Error> {
  const still = await db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.id, id)).get();
  return still ? new DomainError(WEBHOOK_MSG.changedMeanwhile) : notFound();
}

/** Queues a `webhook.test` delivery, sent within a second or two like any other. */
export async function sendTestDelivery(db: Db, id: number, ctx: AuditContext, now = Date.now()): Promise<DeliveryView> {
  const row = await findWebhook(db, id);
  if (!row.enabled) throw new DomainError(WEBHOOK_MSG.disabled);
  const [queued] = (await commit(db, [
    db
      .insert(webhookDeliveries)
      .values({ webhookId: id, eventId: null, event: TEST_EVENT, payload: testPayload(row, ctx, await ensurePanelGuid(db), now), nextAttemptAt: now, createdAt: now })
      .returning(),
  ])) as [WebhookDeliveryRow[]];
  return deliveryViewOf(queued![0]!);
}

/** The webhook's newest deliveries, newest first. */
export async function listDeliveries(db: Db, id: number): Promise<DeliveryView[]> {
  await findWebhook(db, id);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, id))
    .orderBy(desc(webhookDeliveries.id))
    .limit(DELIVERY_LOG_MAX);
  return rows.map(deliveryViewOf);
}
