import "server-only";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { and, eq, inArray, lte, notInArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { webhookDeliveries, type WebhookDeliveryRow } from "@/db/schema/webhook-deliveries";
import { webhooks, type WebhookRow } from "@/db/schema/webhooks";
import { decryptSecret } from "@/lib/crypto/panel-key";
import { logError } from "@/lib/log";
import { allowsAddress, BlockedAddressError, guardedLookup } from "./address-guard";
import { WEBHOOK_MSG } from "./schemas";
import { SECRET_CONTEXT } from "./service";
import { SIGNATURE_HEADER, signatureHeader } from "./signature";

/**
 * Sends due deliveries. An instance claims a few with one conditional UPDATE
 * (so each attempt is made by one instance), POSTs each, and records the
 * answer: a 2xx delivers; anything else is tried again after the retry delay,
 * four times longer after each failure (30 s, 2 min, 8 min, 32 min …, at most
 * 6 h apart), until MAX_ATTEMPTS. Redirects are not followed.
 */

export const MAX_ATTEMPTS = 8;
const MAX_DELAY_MS = 6 * 3_600_000;
const TIMEOUT_MS = 10_000;
/** Longer than an attempt can take: a claim that outlives it belongs to an instance that died mid-send. */
const CLAIM_MS = 60_000;
const USER_AGENT = "xui-panel-webhooks/1";
/** Agents of their own: one connection per attempt, and never a proxy from the environment (it would resolve names past the guard). */
const AGENTS = { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false }) };

export interface DeliveryOptions {
  allowPrivate: boolean;
  retryMs: number;
}

/** The wait before attempt `attempts + 1`. */
export function retryDelay(attempts: number, retryMs: number): number {
  return Math.min(retryMs * 4 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
}

interface Answer {
  status: number;
  error: string;
}

/** One POST; never throws. */
function post(url: string, body: string, headers: Record<string, string>, allowPrivate: boolean): Promise<Answer> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  // An address literal is connected to without a lookup: judged here.
  if (isIP(host) && !allowsAddress(host, allowPrivate)) return Promise.resolve({ status: 0, error: WEBHOOK_MSG.urlPrivate });
  const https = target.protocol === "https:";
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup(allowPrivate) as never,
        agent: https ? AGENTS.https : AGENTS.http,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        res.destroy(); // only the status matters: a body that never ends holds nothing
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve({ status, error: "" });
        if (status >= 300 && status < 400) return resolve({ status, error: `HTTP ${status}: redirects are not followed; use the final URL` });
        resolve({ status, error: `HTTP ${status}` });
      },
    );
    // `timeout` above is the socket's idle time; this bounds the whole exchange (a receiver that trickles).
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    req.on("close", () => clearTimeout(deadline));
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      resolve({ status: 0, error: error instanceof BlockedAddressError ? error.message : code ? `${code}: ${error.message}` : error.message });
    });
    req.end(body);
  });
}

async function attempt(row: WebhookDeliveryRow, hook: WebhookRow | undefined, options: DeliveryOptions, now: number): Promise<Answer> {
  if (!hook) return { status: 0, error: "the webhook was deleted" };
  if (!hook.enabled) return { status: 0, error: "the webhook is turned off" };
  let secret: string;
  try {
    secret = decryptSecret(hook.secretBox, SECRET_CONTEXT, "webhook-secret");
  } catch (error) {
    return { status: 0, error: (error as Error).message };
  }
  const headers = {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "X-Xui-Event": row.event,
    "X-Xui-Delivery": String(row.id),
    [SIGNATURE_HEADER]: signatureHeader(secret, row.payload, now),
  };
  return post(hook.url, row.payload, headers, options.allowPrivate);
}

/** Sends in flight in this process: at most MAX_IN_FLIGHT, at most PER_WEBHOOK claimed per webhook at a time. */
const MAX_IN_FLIGHT = 10;
const PER_WEBHOOK = 2;
const inFlight = new Map<number, number>();
const sends = new Set<Promise<void>>();

/** Resolves when every send started so far has been recorded (tests; shutdown does not wait). */
export async function deliveriesSettled(): Promise<void> {
  while (sends.size > 0) await Promise.all(sends);
}

/**
 * Claims due deliveries and starts sending them without waiting: a receiver
 * that answers slowly or not at all holds its own slots only, so the others'
 * deliveries (and the next fan-out) go on. Returns how many it claimed.
 */
export async function deliverDue(db: Db, options: DeliveryOptions, now = Date.now()): Promise<number> {
  const room = MAX_IN_FLIGHT - sends.size;
  if (room <= 0) return 0;
  const busy = [...inFlight].filter(([, n]) => n >= PER_WEBHOOK).map(([id]) => id);
  const due = and(
    eq(webhookDeliveries.state, "pending"),
    lte(webhookDeliveries.nextAttemptAt, now),
    lte(webhookDeliveries.claimedUntil, now),
    busy.length ? notInArray(webhookDeliveries.webhookId, busy) : undefined,
  );
  // A read first: an idle panel asks once and writes nothing.
  if (!(await db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(due).limit(1).get())) return 0;
  const claimedUntil = now + CLAIM_MS;
  // The oldest due first, at most PER_WEBHOOK of each webhook, so a backlog for one does not starve the others.
  const firstOfEach = sql`(SELECT id FROM (SELECT ${webhookDeliveries.id} AS id, ${webhookDeliveries.nextAttemptAt} AS due_at,
      row_number() OVER (PARTITION BY ${webhookDeliveries.webhookId} ORDER BY ${webhookDeliveries.nextAttemptAt}, ${webhookDeliveries.id}) AS nth
    FROM ${webhookDeliveries} WHERE ${due}) WHERE nth <= ${PER_WEBHOOK} ORDER BY due_at LIMIT ${room})`;
  const claimed = await db.update(webhookDeliveries).set({ claimedUntil }).where(and(inArray(webhookDeliveries.id, firstOfEach), due)).returning();
  if (claimed.length === 0) return 0;
  const ids = [...new Set(claimed.map((d) => d.webhookId))];
  const hooks = new Map((await db.select().from(webhooks).where(inArray(webhooks.id, ids))).map((h) => [h.id, h]));
  for (const row of claimed) {
    inFlight.set(row.webhookId, (inFlight.get(row.webhookId) ?? 0) + 1);
    const send = sendOne(db, row, hooks.get(row.webhookId), claimedUntil, options)
      .catch((error: unknown) => logError("a webhook delivery could not be recorded", error, { deliveryId: row.id }))
      .finally(() => {
        sends.delete(send);
        const left = (inFlight.get(row.webhookId) ?? 1) - 1;
        if (left > 0) inFlight.set(row.webhookId, left);
        else inFlight.delete(row.webhookId);
      });
    sends.add(send);
  }
  return claimed.length;
}

/** One attempt, and its outcome recorded (only while this instance still holds the claim). */
async function sendOne(db: Db, row: WebhookDeliveryRow, hook: WebhookRow | undefined, claimedUntil: number, options: DeliveryOptions): Promise<void> {
  const sentAt = Date.now();
  const answer = await attempt(row, hook, options, sentAt);
  const attempts = row.attempts + 1;
  const ok = answer.error === "";
  // A deleted or disabled webhook ends its queue now; other failures wait their turn.
  const giveUp = !ok && (attempts >= MAX_ATTEMPTS || !hook || !hook.enabled);
  await db
    .update(webhookDeliveries)
    .set({
      state: ok ? "delivered" : giveUp ? "failed" : "pending",
      attempts,
      lastStatus: answer.status,
      lastError: answer.error,
      lastAttemptAt: sentAt,
      nextAttemptAt: ok || giveUp ? sentAt : Date.now() + retryDelay(attempts, options.retryMs),
      claimedUntil: 0,
    })
    .where(and(eq(webhookDeliveries.id, row.id), eq(webhookDeliveries.claimedUntil, claimedUntil)));
}
