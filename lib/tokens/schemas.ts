import { z } from "zod";
import { TOKEN_SCOPES } from "@/db/schema/constants";
import { MAX_ALLOWED_IPS, normalizeAllowedIp } from "./ip-allowlist";
import { DESCRIPTION_MAX_CHARS, tokenDescription } from "./token-description";
import { NAME_MAX_CHARS, NAME_MSG, tokenName } from "./token-name";
import { RATE_LIMIT_MSG, rateLimitPerMinute } from "./token-rate-limit";
import { POLICY_VIOLATIONS } from "./policy-rules";

export { NAME_MAX_CHARS, tokenName };

/**
 * Request and response shapes of the token API. Error texts are the peer
 * panel's (3x-ui), word for word: bots match on them.
 */
export const MSG = {
  nameRequired: NAME_MSG.nameRequired,
  nameTooLong: NAME_MSG.nameTooLong,
  nameTaken: "a token with that name already exists",
  scopeInvalid: "scope must be 'admin', 'monitor', or 'node-sync'",
  expiresAtInvalid: "expiresAt must be 0 (never) or a future unix-ms timestamp",
  idInvalid: "invalid token id",
  notFound: "token not found",
  scopeMismatch: "token not found with expected scope",
  // Our own additions (the peer accepts these silently or has no such case).
  nameNotString: NAME_MSG.nameNotString,
  nameControlChars: NAME_MSG.nameControlChars,
  enabledInvalid: "enabled must be true or false",
  canaryInvalid: "canary must be true or false",
  expectedScopeInvalid: "expectedScope must be a string",
  allowedIpsInvalid: "allowedIps must be a list of IP addresses or CIDR ranges",
  allowedIpsTooMany: `allowedIps may hold at most ${MAX_ALLOWED_IPS} entries`,
  graceInvalid: "graceSeconds must be an integer from 0 to 86400",
  rateLimitInvalid: RATE_LIMIT_MSG.invalid,
  nothingToUpdate: "nothing to update: give name, description, expiresAt, allowedIps, rateLimitPerMinute or scope",
  nothingChanged: "nothing changed",
  rotateExpired: "token has expired: give it a new expiresAt to rotate it",
} as const;

export const allowedIpEntryInvalid = (entry: unknown) =>
  `allowedIps: ${JSON.stringify(String(entry)).slice(0, 80)} is not an IPv4/IPv6 address or CIDR range`;

/** Far enough to be "never" for any caller; keeps Date arithmetic in range. */
const MAX_TIMESTAMP_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** Go-style zero values: the peer treats `""` and `null` like an absent field. */
const CANARY_DOC =
  "A canary (decoy) token: it never authorises anything, its answer is exactly an unknown token's, and every use is audited as token.canary_triggered (address, route, user agent). Default false.";

const blankAsMissing = (v: unknown) => (v === "" || v === null ? undefined : v);

/** Trimmed and lower-cased first, as 3x-ui's NormalizeScope does (`" Monitor "` is `monitor`). */
const normalizedScope = (v: unknown) => (typeof v === "string" ? v.trim().toLowerCase() : v);

export const tokenScope = z.enum(TOKEN_SCOPES, { error: MSG.scopeInvalid });

/** Unix ms, `0` = never. Whether it lies in the future is the service's rule (it owns the clock). */
export const expiresAtMs = z
  .number({ error: MSG.expiresAtInvalid })
  .int(MSG.expiresAtInvalid)
  .min(0, MSG.expiresAtInvalid)
  .max(MAX_TIMESTAMP_MS, MSG.expiresAtInvalid);

// Blank only before trimming: `" "` was meant as a check, and matches no token instead of none.
const expectedScope = z.preprocess(
  (v) => normalizedScope(blankAsMissing(v)),
  z.string({ error: MSG.expectedScopeInvalid }).optional(),
);

/** IPs/CIDRs a token may be used from, normalised and de-duplicated; `[]` = anywhere. */
export const allowedIps = z
  .array(z.unknown(), { error: MSG.allowedIpsInvalid })
  .max(MAX_ALLOWED_IPS, MSG.allowedIpsTooMany)
  .transform((entries, ctx) => {
    const out: string[] = [];
    for (const entry of entries) {
      const normalized = typeof entry === "string" ? normalizeAllowedIp(entry) : null;
      if (normalized === null) {
        ctx.addIssue({ code: "custom", message: allowedIpEntryInvalid(entry) });
        return z.NEVER;
      }
      if (!out.includes(normalized)) out.push(normalized);
    }
    return out;
  });

const RATE_LIMIT_DOC = "Requests per minute this token may make, across every panel instance (429 beyond); 0 = no limit.";

const DESCRIPTION_DOC = `What the token is for: up to ${DESCRIPTION_MAX_CHARS} characters, trimmed; newlines allowed, other control characters not.`;
const descriptionField = tokenDescription.describe(DESCRIPTION_DOC);

export const createTokenBody = z.object({
  name: tokenName.describe(`Unique label, trimmed, 1–${NAME_MAX_CHARS} characters.`),
  description: z
    .preprocess((v) => (v === null ? undefined : v), descriptionField.optional())
    .transform((v) => v ?? "")
    .describe(`${DESCRIPTION_DOC} Default \`""\`.`),
  scope: z
    .preprocess((v) => blankAsMissing(normalizedScope(v)), tokenScope.optional())
    .transform((v) => v ?? "admin")
    .describe("What the token may call; default `admin`."),
  expiresAt: z
    .preprocess(blankAsMissing, expiresAtMs.optional())
    .describe("Unix milliseconds in the future, or 0 for never. Absent: the token policy's default expiry (never when it has none)."),
  allowedIps: z
    .preprocess(blankAsMissing, allowedIps.optional())
    .transform((v) => v ?? [])
    .describe("IPv4/IPv6 addresses or CIDR ranges the token may be used from; empty (default) = anywhere."),
  rateLimitPerMinute: z
    .preprocess(blankAsMissing, rateLimitPerMinute.optional())
    .transform((v) => v ?? 0)
    .describe(`${RATE_LIMIT_DOC} Default 0.`),
  canary: z
    .preprocess(blankAsMissing, z.boolean({ error: MSG.canaryInvalid }).optional())
    .transform((v) => v ?? false)
    .describe(CANARY_DOC),
});
export type CreateTokenInput = z.output<typeof createTokenBody>;

const expectedScopeField = expectedScope.describe("When given, the call only acts if the token has exactly this scope.");

export const setEnabledBody = z.object({
  enabled: z.boolean({ error: MSG.enabledInvalid }),
  expectedScope: expectedScopeField,
});

export const deleteTokenBody = z.object({ expectedScope: expectedScopeField });

/** Edit: each field optional, same rules as create. */
export const updateTokenBody = z
  .object({
    name: tokenName.optional(),
    description: z.preprocess((v) => (v === null ? undefined : v), descriptionField.optional()),
    expiresAt: z.preprocess((v) => (v === null ? undefined : v), expiresAtMs.optional()),
    allowedIps: z.preprocess((v) => (v === null ? undefined : v), allowedIps.optional()),
    rateLimitPerMinute: z.preprocess((v) => (v === null ? undefined : v), rateLimitPerMinute.optional()).describe(RATE_LIMIT_DOC),
    scope: z
      .preprocess((v) => blankAsMissing(normalizedScope(v)), tokenScope.optional())
      .describe(
        "A new scope (e.g. the `narrowestScope` of `…/{id}/usage`). Widening to `admin` asks a browser session for a re-authentication within 10 minutes, and follows the token policy's allowlist rule.",
      ),
  })
  .refine(
    (b) =>
      b.name !== undefined ||
      b.description !== undefined ||
      b.expiresAt !== undefined ||
      b.allowedIps !== undefined ||
      b.rateLimitPerMinute !== undefined ||
      b.scope !== undefined,
    MSG.nothingToUpdate,
  );
export type UpdateTokenInput = z.output<typeof updateTokenBody>;

export const MAX_GRACE_SECONDS = 86_400;
export const rotateTokenBody = z.object({
  graceSeconds: z.preprocess(
    blankAsMissing,
    z.number({ error: MSG.graceInvalid }).int(MSG.graceInvalid).min(0, MSG.graceInvalid).max(MAX_GRACE_SECONDS, MSG.graceInvalid).optional(),
  ),
  expiresAt: z
    .preprocess(blankAsMissing, expiresAtMs.optional())
    .describe("A new expiry for the token (Unix ms in the future, or 0 for never); required to rotate an expired token."),
});
export type RotateTokenInput = z.output<typeof rotateTokenBody>;

/** `{id}` path segment: a positive decimal integer, read as Go's strconv.Atoi reads it (`02` and `+2` are 2; no `1e3`, `1.5`, `0x2`). */
export const tokenIdParams = z.object({
  id: z
    .string()
    .regex(/^[+-]?[0-9]{1,16}$/, MSG.idInvalid)
    .transform(Number)
    .refine((id) => Number.isSafeInteger(id) && id > 0, MSG.idInvalid)
    .describe("Token id: a positive integer."),
});

/**
 * Everything a caller may see about a token. Responses are parsed through this
 * allow-list, so a column added later (or the hash) cannot leak by accident.
 */
export const tokenView = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().describe("Free text for admins; empty when none."),
  enabled: z.boolean(),
  createdAt: z.number().int().describe("Unix seconds."),
  scope: tokenScope,
  expiresAt: z.number().int().describe("Unix milliseconds; 0 = never."),
  prefix: z.string().describe("`xui_` and the first 4 random characters, to tell tokens apart; empty for imported tokens."),
  expiresSoon: z.boolean().describe("True when the token expires within 7 days (and has not yet)."),
  expired: z.boolean().describe("True when expiresAt is set and has passed: the token is refused whatever `enabled` says."),
  lastUsedAt: z.number().int().describe("Unix seconds of the last successful use (at most a minute stale); 0 = never."),
  lastUsedIp: z.string().describe("Client IP of that use."),
  allowedIps: z.array(z.string()).describe("Normalised CIDRs the token may be used from; empty = anywhere."),
  rateLimitPerMinute: z.number().int().describe(RATE_LIMIT_DOC),
  graceUntil: z
    .number()
    .int()
    .describe("After a rotation with grace: until when (Unix ms) the previous plaintext still works; 0 = it does not."),
  canary: z.boolean().describe(CANARY_DOC),
  reuseDetectedAt: z
    .number()
    .int()
    .describe(
      "When (Unix ms) a rotated-out secret of this token was last presented after its grace period (someone still holds the old secret; audited as token.reuse_detected); 0 = never.",
    ),
  policyViolations: z
    .array(z.enum(POLICY_VIOLATIONS))
    .describe(
      "The token policy's rules this token breaks (it predates them): `neverExpires`, `expiresTooLate` (beyond the maximum lifetime from now), `adminWithoutAllowlist`. It keeps working; empty when it breaks none (always for expired and canary tokens).",
    ),
});
export type TokenView = z.output<typeof tokenView>;

export const createdToken = tokenView.extend({
  token: z.string().describe("The plaintext, in this response only (create, rotate): store it now."),
});
export type CreatedToken = z.output<typeof createdToken>;

/** A page of the paged list (`GET …/apiTokens` with any list parameter). */
export const tokenPage = z.object({
  items: z.array(tokenView),
  total: z.number().int().describe("Tokens matching the filters (all pages)."),
  nextCursor: z.string().nullable().describe("`cursor` for the next page; null on the last."),
  prevCursor: z.string().nullable().describe("`cursor` for the previous page; null on the first."),
});
export type TokenPage = z.output<typeof tokenPage>;
