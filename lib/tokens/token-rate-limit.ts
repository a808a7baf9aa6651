import { z } from "zod";

/**
 * The per-token rate limit's rule, shared by the API (./schemas) and the
 * Security page's forms. Browser-safe: zod and nothing else.
 */
/** Far above what one panel serves; low enough to stay a number people read at a glance. */
export const MAX_RATE_LIMIT_PER_MINUTE = 1_000_000;

export const RATE_LIMIT_MSG = {
  invalid: `rateLimitPerMinute must be an integer from 0 (no limit) to ${MAX_RATE_LIMIT_PER_MINUTE}`,
} as const;

/** Requests per minute across all instances; `0` = no limit. */
export const rateLimitPerMinute = z
  .number({ error: RATE_LIMIT_MSG.invalid })
  .int(RATE_LIMIT_MSG.invalid)
  .min(0, RATE_LIMIT_MSG.invalid)
  .max(MAX_RATE_LIMIT_PER_MINUTE, RATE_LIMIT_MSG.invalid);

/** A form's text: blank is no limit; anything else must be a whole number in range. */
export function parseRateLimitText(text: string): { value: number; error?: undefined } | { value?: undefined; error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { value: 0 };
  const parsed = /^\d+$/.test(trimmed) ? rateLimitPerMinute.safeParse(Number(trimmed)) : null;
  return parsed?.success ? { value: parsed.data } : { error: `Enter a whole number from 0 to ${MAX_RATE_LIMIT_PER_MINUTE.toLocaleString("en")}, or leave it empty for no limit.` };
}
