/**
 * The schema's enums and constants, in a module with no imports so the browser
 * can use them (the Security page's scope picker and audit filter) without
 * pulling Drizzle into its chunks. The table files build on these; keep this
 * file dependency-free (tests/unit/client-bundle.test.ts checks the result).
 */

export const TOKEN_SCOPES = ["admin", "monitor", "node-sync"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * The expiry sort's key for "never" (`expires_at = 0`): after every date, which
 * are at most 9999-12-31 in ms, and a safe integer, so a cursor carries it exactly.
 */
export const EXPIRY_NEVER_SORT_KEY = 253_402_300_800_000;

export const AUDIT_ACTIONS = [
  "login.success",
  "login.failure",
  "logout",
  "credentials.change",
  "token.create",
  "token.update",
  "token.rotate",
  "token.enable",
  "token.disable",
  "token.delete",
  "token.leak_revoke",
  "token.reuse_detected",
  "token.canary_triggered",
  "token.expiring",
  "policy.update",
  "webhook.create",
  "webhook.update",
  "webhook.delete",
  "webhook.rotate_secret",
  "scope.denied",
  "bearer.failure",
  "database.restore",
  "session.revoked",
  "session.reauthenticated",
  "reauth.failure",
  "passkey.added",
  "passkey.renamed",
  "passkey.removed",
  "passkey.used",
  "twofactor.enabled",
  "twofactor.disabled",
  "twofactor.recovery_used",
  "twofactor.recovery_regenerated",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_ACTOR_TYPES = ["session", "token", "anonymous", "system"] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/** A webhook delivery: waiting for its (next) attempt, accepted with a 2xx, or given up. */
export const DELIVERY_STATES = ["pending", "delivered", "failed"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
