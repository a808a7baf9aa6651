import { z } from "zod";

/**
 * The token policy's shape and rules, shared by the API (./policy.ts, the
 * token service) and the Security page's forms. Browser-safe: zod and nothing else.
 *
 * Canary tokens are exempt from every rule: they never authorise anything.
 */

export const DAY_MS = 86_400_000;
/** Ten years: the longest cap or default a policy may set. */
export const MAX_POLICY_DAYS = 3650;

const days = (field: string) => {
  const message = `${field} must be an integer from 0 (none) to ${MAX_POLICY_DAYS}`;
  return z.number({ error: message }).int(message).min(0, message).max(MAX_POLICY_DAYS, message);
};
const flag = (field: string) => z.boolean({ error: `${field} must be true or false` });

export const POLICY_MSG = {
  defaultAboveMax: "defaultExpiryDays must not exceed maxLifetimeDays",
  nothingToUpdate: "nothing to update: give maxLifetimeDays, defaultExpiryDays, adminRequiresAllowlist or disableOnReuse",
  expiryRequired: (max: number) => `expiresAt is required: the token policy limits tokens to ${max} days`,
  expiryTooLate: (max: number, latest: number) =>
    `expiresAt is too far away: the token policy limits tokens to ${max} days (latest ${new Date(latest).toISOString()})`,
  allowlistRequired: "allowedIps is required for admin-scope tokens by the token policy (a /0 range, which admits everyone, does not count)",
} as const;

const MAX_LIFETIME_DOC = "The longest a new or rotated token may live, in days: an expiry becomes required and may be at most this far away. 0 = no cap.";
const DEFAULT_EXPIRY_DOC = "The expiry (days from creation) of a new token created without `expiresAt`. 0 = never; at most maxLifetimeDays.";
const ADMIN_ALLOWLIST_DOC = "Admin-scope tokens need a non-empty IP allowlist (on create and edit).";
const DISABLE_ON_REUSE_DOC =
  "A rotated-out secret presented after its grace period also disables its token (audited token.disable, reason reuse): safer against a stolen old secret, but whoever holds that secret can then switch the token off.";

export const tokenPolicyView = z.object({
  maxLifetimeDays: z.number().int().describe(MAX_LIFETIME_DOC),
  defaultExpiryDays: z.number().int().describe(DEFAULT_EXPIRY_DOC),
  adminRequiresAllowlist: z.boolean().describe(ADMIN_ALLOWLIST_DOC),
  disableOnReuse: z.boolean().describe(DISABLE_ON_REUSE_DOC),
  updatedAt: z.number().int().describe("Unix ms of the last change; 0 = never changed (the defaults: no rules)."),
});
export type TokenPolicy = z.output<typeof tokenPolicyView>;

export const NO_POLICY: TokenPolicy = { maxLifetimeDays: 0, defaultExpiryDays: 0, adminRequiresAllowlist: false, disableOnReuse: false, updatedAt: 0 };

export const POLICY_FIELDS = ["maxLifetimeDays", "defaultExpiryDays", "adminRequiresAllowlist", "disableOnReuse"] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

/** A save: every field optional; the merged result must keep the default within the cap. */
export const updateTokenPolicyBody = z
  .object({
    maxLifetimeDays: days("maxLifetimeDays").optional().describe(MAX_LIFETIME_DOC),
    defaultExpiryDays: days("defaultExpiryDays").optional().describe(DEFAULT_EXPIRY_DOC),
    adminRequiresAllowlist: flag("adminRequiresAllowlist").optional().describe(ADMIN_ALLOWLIST_DOC),
    disableOnReuse: flag("disableOnReuse").optional().describe(DISABLE_ON_REUSE_DOC),
  })
  .refine((b) => POLICY_FIELDS.some((f) => b[f] !== undefined), POLICY_MSG.nothingToUpdate);
export type UpdateTokenPolicyInput = z.output<typeof updateTokenPolicyBody>;

/** The merged policy's own rule; a message when broken. */
export function policyProblem(p: Pick<TokenPolicy, "maxLifetimeDays" | "defaultExpiryDays">): string | null {
  return p.maxLifetimeDays > 0 && p.defaultExpiryDays > p.maxLifetimeDays ? POLICY_MSG.defaultAboveMax : null;
}

/** The latest expiry (Unix ms) a token made at `now` may have; null = no cap. */
export function latestExpiry(policy: TokenPolicy, now: number): number | null {
  return policy.maxLifetimeDays > 0 ? now + policy.maxLifetimeDays * DAY_MS : null;
}

/** What a new token gets when the caller gives no expiry (Unix ms; 0 = never). */
export function defaultExpiry(policy: TokenPolicy, now: number): number {
  return policy.defaultExpiryDays > 0 ? now + policy.defaultExpiryDays * DAY_MS : 0;
}

/** Tolerated beyond the cap: a client whose clock runs a little ahead still gets its "30 days" under a 30-day cap. */
export const EXPIRY_SLACK_MS = 3_600_000;

/** Why `expiresAt` (Unix ms, 0 = never) breaks the cap for a token made or changed at `now`; null when it does not. */
export function expiryProblem(policy: TokenPolicy, expiresAt: number, now: number): string | null {
  const latest = latestExpiry(policy, now);
  if (latest === null) return null;
  if (expiresAt === 0) return POLICY_MSG.expiryRequired(policy.maxLifetimeDays);
  return expiresAt > latest + EXPIRY_SLACK_MS ? POLICY_MSG.expiryTooLate(policy.maxLifetimeDays, latest) : null;
}

/** An allowlist that admits someone less than everyone: empty, or holding a `/0` range (normalised form), it does not. */
export const limitsAddresses = (allowedIps: readonly string[]) => allowedIps.length > 0 && !allowedIps.some((cidr) => cidr.endsWith("/0"));

export function allowlistProblem(policy: TokenPolicy, scope: string, allowedIps: readonly string[]): string | null {
  return policy.adminRequiresAllowlist && scope === "admin" && !limitsAddresses(allowedIps) ? POLICY_MSG.allowlistRequired : null;
}

export const POLICY_VIOLATIONS = ["neverExpires", "expiresTooLate", "adminWithoutAllowlist"] as const;
export type PolicyViolation = (typeof POLICY_VIOLATIONS)[number];

/**
 * The rules an existing token breaks (it was made before the policy, or by an
 * import). Flagged, never enforced on the token: it keeps working. Expired
 * tokens and canaries break nothing.
 */
export function violationsOf(
  policy: TokenPolicy,
  token: { scope: string; expiresAt: number; allowedIps: readonly string[]; canary: boolean },
  now: number,
): PolicyViolation[] {
  if (token.canary || (token.expiresAt !== 0 && token.expiresAt <= now)) return [];
  const found: PolicyViolation[] = [];
  const latest = latestExpiry(policy, now);
  if (latest !== null && token.expiresAt === 0) found.push("neverExpires");
  if (latest !== null && token.expiresAt > latest) found.push("expiresTooLate");
  if (allowlistProblem(policy, token.scope, token.allowedIps)) found.push("adminWithoutAllowlist");
  return found;
}
