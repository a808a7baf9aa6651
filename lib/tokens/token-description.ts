import { z } from "zod";

/**
 * The description rule, shared by the API (./schemas) and the Security page's
 * forms. Browser-safe: zod and nothing else.
 */
export const DESCRIPTION_MAX_CHARS = 500;

export const DESCRIPTION_MSG = {
  notString: "description must be a string",
  tooLong: `description must be at most ${DESCRIPTION_MAX_CHARS} characters`,
  controlChars: "description may not contain control characters",
} as const;

/** Every control character but the newline. */
const CONTROL_CHARS = /[\p{Cc}]/u;

/**
 * Trimmed; `""` = none. Line breaks are newlines: a form post of a textarea
 * sends CRLF, which is read as `\n` rather than refused.
 */
export const tokenDescription = z
  .string({ error: DESCRIPTION_MSG.notString })
  .transform((s) => s.replace(/\r\n?/g, "\n").trim())
  .pipe(
    z
      .string()
      .refine((s) => [...s].length <= DESCRIPTION_MAX_CHARS, DESCRIPTION_MSG.tooLong)
      .refine((s) => !CONTROL_CHARS.test(s.replaceAll("\n", "")), DESCRIPTION_MSG.controlChars),
  );
