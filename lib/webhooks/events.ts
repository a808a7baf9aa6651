import type { AuditAction } from "@/db/schema/constants";

/**
 * What a webhook can subscribe to, and the audit rows that announce each event
 * (lib/webhooks/fan-out.ts). Dependency-free: the Webhooks tab lists them too.
 */
export const WEBHOOK_EVENTS = [
  "token.created",
  "token.rotated",
  "token.disabled",
  "token.deleted",
  "token.leak_revoked",
  "token.canary_triggered",
  "token.reuse_detected",
  "token.expiring",
  "login.new_address",
  "twofactor.disabled",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Sent by the test button; never subscribed to. */
export const TEST_EVENT = "webhook.test";

export const EVENT_LABELS: Record<WebhookEvent, string> = {
  "token.created": "Token created",
  "token.rotated": "Token rotated",
  "token.disabled": "Token disabled",
  "token.deleted": "Token deleted",
  "token.leak_revoked": "Leaked token revoked",
  "token.canary_triggered": "Canary token used",
  "token.reuse_detected": "Rotated-out secret reused",
  "token.expiring": "Token expires within 7 days, and within 1 day",
  "login.new_address": "Sign-in from an address not seen before",
  "twofactor.disabled": "Two-factor authentication turned off",
};

/** The audit action behind each event; `login.new_address` is a `login.success` from a new address. */
export const EVENT_ACTIONS: Record<WebhookEvent, AuditAction> = {
  "token.created": "token.create",
  "token.rotated": "token.rotate",
  "token.disabled": "token.disable",
  "token.deleted": "token.delete",
  "token.leak_revoked": "token.leak_revoke",
  "token.canary_triggered": "token.canary_triggered",
  "token.reuse_detected": "token.reuse_detected",
  "token.expiring": "token.expiring",
  "login.new_address": "login.success",
  "twofactor.disabled": "twofactor.disabled",
};
