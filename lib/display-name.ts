import { z } from "zod";

/**
 * The rule for names admins give things (tokens, passkeys), shared by the API
 * and the Security page's forms. Browser-safe: zod and nothing else.
 */

/**
 * Characters that hide or reorder what an admin reads: controls, every format
 * character (zero-width spaces and joiners, soft hyphens, bidi marks), line and
 * paragraph separators, the other default-ignorable ones (Hangul fillers, the
 * combining grapheme joiner) and the blank braille cell. Variation selectors
 * stay allowed (they pick an emoji's look); `nameKey` ignores them.
 */
const HIDDEN_CHARS = /(?![\ufe00-\ufe0f])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;

export interface DisplayNameMessages {
  required: string;
  notString: string;
  tooLong: string;
  hiddenChars: string;
}

/** Trimmed, 1 to `maxChars` characters (code points), nothing hidden. */
export function displayName(msg: DisplayNameMessages, maxChars: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined || iss.input === null ? msg.required : msg.notString) })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, msg.required)
        .refine((s) => [...s].length <= maxChars, msg.tooLong)
        .refine((s) => !HIDDEN_CHARS.test(s), msg.hiddenChars),
    );
}

/**
 * What two names are compared by: NFKC (full-width and other compatibility
 * forms become the plain letters), case folded (upper then lower case, so "ß"
 * and "SS" meet), variation selectors dropped, runs of white space as one.
 */
export function nameKey(name: string): string {
  return name
    .normalize("NFKC")
    .toUpperCase()
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[\ufe00-\ufe0f]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
