import { z } from "zod";

/**
 * The token-name rule, shared by the API (./schemas) and the Security page's
 * create form, which checks names as they are typed. Browser-safe: zod and
 * nothing else, so the form's chunk stays free of server code.
 */
export const NAME_MAX_CHARS = 64;

/** The peer panel's (3x-ui) texts word for word, then our own additions. */
export const NAME_MSG = {
  nameRequired: "token name is required",
  nameTooLong: "token name must be 64 characters or fewer",
  nameNotString: "token name must be a string",
  nameControlChars: "token name must not contain control or invisible formatting characters",
} as const;

/** Controls, bidi overrides and line separators: they hide or reorder what an admin reads. */
const HIDDEN_CHARS = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

export const tokenName = z
  .string({ error: (iss) => (iss.input === undefined || iss.input === null ? NAME_MSG.nameRequired : NAME_MSG.nameNotString) })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, NAME_MSG.nameRequired)
      .refine((s) => [...s].length <= NAME_MAX_CHARS, NAME_MSG.nameTooLong)
      .refine((s) => !HIDDEN_CHARS.test(s), NAME_MSG.nameControlChars),
  );
