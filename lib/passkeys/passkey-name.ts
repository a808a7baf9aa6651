import { z } from "zod";

/**
 * The passkey-name rule, shared by the API and the Security page's forms.
 * Browser-safe: zod and nothing else.
 */
export const PASSKEY_NAME_MAX_CHARS = 64;

export const PASSKEY_NAME_MSG = {
  required: "passkey name is required",
  tooLong: `passkey name must be ${PASSKEY_NAME_MAX_CHARS} characters or fewer`,
  notString: "passkey name must be a string",
  controlChars: "passkey name must not contain control or invisible formatting characters",
} as const;

/** Controls, bidi overrides and line separators: they hide or reorder what an admin reads. */
const HIDDEN_CHARS = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

export const passkeyName = z
  .string({ error: (iss) => (iss.input === undefined || iss.input === null ? PASSKEY_NAME_MSG.required : PASSKEY_NAME_MSG.notString) })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, PASSKEY_NAME_MSG.required)
      .refine((s) => [...s].length <= PASSKEY_NAME_MAX_CHARS, PASSKEY_NAME_MSG.tooLong)
      .refine((s) => !HIDDEN_CHARS.test(s), PASSKEY_NAME_MSG.controlChars),
  );
