/**
 * The paged token list's options (`GET …/apiTokens?limit=&cursor=&q=&scope=&status=&sort=`),
 * in a module with no imports so the Security page can build its controls from them.
 */
export const TOKEN_LIST_PARAMS = ["limit", "cursor", "q", "scope", "status", "sort"] as const;

export const TOKEN_LIST_LIMIT_MAX = 200;
export const TOKEN_LIST_LIMIT_DEFAULT = 50;
export const TOKEN_LIST_Q_MAX_CHARS = 100;

/**
 * `enabled` = enabled and unexpired; `expiring` = enabled, unexpired, and expiring within 7 days;
 * `violating` = unexpired and breaking a rule of the token policy (`policyViolations` not empty).
 */
export const TOKEN_STATUSES = ["enabled", "disabled", "expired", "expiring", "violating"] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/** Each optionally prefixed with `-` (descending); ties go by id in the same direction. */
export const TOKEN_SORTS = ["name", "created", "lastUsed", "expiry"] as const;
export type TokenSortKey = (typeof TOKEN_SORTS)[number];
export type TokenSort = TokenSortKey | `-${TokenSortKey}`;
export const TOKEN_SORT_DEFAULT: TokenSort = "-created";

/** How soon an expiry counts as "expires soon" (the `expiresSoon` flag, `status=expiring`). */
export const EXPIRES_SOON_MS = 7 * 86_400_000;
