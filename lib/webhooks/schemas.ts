import { z } from "zod";
import { DELIVERY_STATES } from "@/db/schema/constants";
import { displayName } from "@/lib/display-name";
import { TEST_EVENT, WEBHOOK_EVENTS } from "./events";

/** The webhook API's shapes and texts, shared by the routes and the Webhooks tab. Browser-safe. */

export const WEBHOOK_MSG = {
  nameRequired: "webhook name is required",
  nameTooLong: "webhook name must be 64 characters or fewer",
  nameNotString: "webhook name must be a string",
  nameHiddenChars: "webhook name must not contain control or invisible formatting characters",
  urlInvalid: "webhook URL must be an http:// or https:// address",
  urlTooLong: "webhook URL must be 2000 characters or fewer",
  urlCredentials: "webhook URL must not contain a user name or password: the signature proves the panel sent it",
  urlPrivate:
    "webhook URL must reach a public address (this one is loopback, private, link-local or otherwise reserved); set WEBHOOK_ALLOW_PRIVATE=true to allow such receivers",
  urlUnresolvable: "webhook URL's host name does not resolve",
  eventsRequired: "choose at least one event",
  eventUnknown: `unknown event; events are ${WEBHOOK_EVENTS.join(", ")}`,
  notFound: "webhook not found",
  idInvalid: "webhook id must be a positive integer",
  disabled: "the webhook is turned off: turn it on to send a test",
  nothingChanged: "nothing changed",
  changedMeanwhile: "the webhook was changed at the same time; reload and try again",
} as const;

export const WEBHOOK_URL_MAX = 2000;
/** Deliveries listed per webhook on the page. */
export const DELIVERY_LOG_MAX = 100;

const webhookName = displayName(
  { required: WEBHOOK_MSG.nameRequired, notString: WEBHOOK_MSG.nameNotString, tooLong: WEBHOOK_MSG.nameTooLong, hiddenChars: WEBHOOK_MSG.nameHiddenChars },
  64,
);

/** The URL's syntax; where it points is checked by the server (lib/webhooks/address-guard.ts). */
export const webhookUrl = z
  .string({ error: WEBHOOK_MSG.urlInvalid })
  .trim()
  .max(WEBHOOK_URL_MAX, WEBHOOK_MSG.urlTooLong)
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: "custom", message: WEBHOOK_MSG.urlInvalid });
      return z.NEVER;
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
      ctx.addIssue({ code: "custom", message: WEBHOOK_MSG.urlInvalid });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: WEBHOOK_MSG.urlCredentials });
      return z.NEVER;
    }
    url.hash = "";
    // Checked again as normalised: percent-encoding and punycode make it longer.
    if (url.href.length > WEBHOOK_URL_MAX) {
      ctx.addIssue({ code: "custom", message: WEBHOOK_MSG.urlTooLong });
      return z.NEVER;
    }
    return url.href;
  });

const webhookEvents = z
  .array(z.enum(WEBHOOK_EVENTS, { error: WEBHOOK_MSG.eventUnknown }), { error: WEBHOOK_MSG.eventsRequired })
  .min(1, WEBHOOK_MSG.eventsRequired)
  .transform((events) => WEBHOOK_EVENTS.filter((e) => events.includes(e)));

export const createWebhookBody = z.object({
  name: webhookName,
  url: webhookUrl,
  events: webhookEvents,
  enabled: z.boolean().optional().default(true),
});
export type CreateWebhookInput = z.output<typeof createWebhookBody>;

export const updateWebhookBody = z.object({
  name: webhookName.optional(),
  url: webhookUrl.optional(),
  events: webhookEvents.optional(),
  enabled: z.boolean().optional(),
});
export type UpdateWebhookInput = z.output<typeof updateWebhookBody>;

export const webhookIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,16}$/, WEBHOOK_MSG.idInvalid)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id > 0, WEBHOOK_MSG.idInvalid)
    .describe("Webhook id: a positive integer."),
});

export const deliveryView = z.object({
  id: z.number().int(),
  event: z.string().describe(`One of the subscribed events, or \`${TEST_EVENT}\``),
  state: z.enum(DELIVERY_STATES).describe("`pending` (will be tried again at `nextAttemptAt`), `delivered` (a 2xx answer) or `failed` (gave up)"),
  attempts: z.number().int(),
  nextAttemptAt: z.number().int().describe("Unix ms; meaningful while pending"),
  lastStatus: z.number().int().describe("The last attempt's HTTP status; 0 = no answer"),
  lastError: z.string(),
  lastAttemptAt: z.number().int(),
  createdAt: z.number().int(),
});
export type DeliveryView = z.output<typeof deliveryView>;

export const webhookView = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  lastDelivery: deliveryView.nullable().describe("The newest delivery, for the list's status column"),
});
export type WebhookView = z.output<typeof webhookView>;

export const createdWebhook = webhookView.extend({
  secret: z.string().describe("The signing secret, shown this once: verify `X-Xui-Signature` with it"),
});
export type CreatedWebhook = z.output<typeof createdWebhook>;

export const deliveryLog = z.array(deliveryView);

/** A delivery's JSON body: the audit row behind the event, which never holds a secret. */
export const webhookPayload = z.object({
  event: z.enum([...WEBHOOK_EVENTS, TEST_EVENT]),
  eventId: z.number().int().nullable().describe("The audit event's id (the same on every retry); null for a test"),
  occurredAt: z.string().describe("ISO 8601, UTC"),
  panel: z.string().describe("The panel's GUID (`panelGuid` of the server status): which panel sent it"),
  actor: z.object({ type: z.string(), name: z.string() }).describe("Who did it: session (an admin), token, anonymous or system"),
  ip: z.string().describe("The address it came from; empty for the system"),
  target: z.object({ type: z.string(), id: z.number().int().nullable(), name: z.string() }),
  count: z
    .number()
    .int()
    .describe("How often it had happened when queued: canary and reuse alarms are counted per token, address and minute, and later uses in that minute raise the audit row's count, not a new delivery"),
  detail: z.record(z.string(), z.unknown()).describe("The audit row's detail: scope, expiry, route, what changed …"),
});
export type WebhookPayload = z.output<typeof webhookPayload>;
