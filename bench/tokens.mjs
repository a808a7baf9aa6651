// Token strings for the benchmark: real minted-format tokens to seed and use as
// bearers, random well-formed unknown ones and bad-checksum ones to flood with.
//
// This restates lib/tokens/format.ts in plain JavaScript on purpose: the bench
// runs with `node` alone (no TypeScript step), and an independent copy is also
// a check of the format: if the panel disagreed with it, the bearer runs would
// answer 401 and the harness would stop with an error.
import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

export const TOKEN_PREFIX = "xui_";
const BODY_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const XUI_TOKEN = /^xui_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/;

/** Random base62 characters. Uniform is not needed here, only plausibility; 248 = 62·4 keeps it unbiased anyway. */
function randomBase62(length) {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function toBase62(value, width) {
  let out = "";
  let n = value;
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
}

export function tokenChecksum(body) {
  return toBase62(crc32(body), CHECKSUM_LENGTH);
}

export function hashToken(plaintext) {
  return createHash("sha256").update(plaintext, "utf8").digest("hex");
}

/** A token exactly as the panel mints one: plaintext, stored hash, display prefix. */
export function mintToken() {
  const body = randomBase62(BODY_LENGTH);
  const plaintext = `${TOKEN_PREFIX}${body}${tokenChecksum(body)}`;
  return { plaintext, hash: hashToken(plaintext), prefix: plaintext.slice(0, TOKEN_PREFIX.length + 4) };
}

/** Well formed, correct checksum, in no database: each one costs the server a full lookup. */
export function unknownToken() {
  return mintToken().plaintext;
}

/** Well formed but with a checksum that does not match: the server can reject it without the database. */
export function badChecksumToken() {
  const body = randomBase62(BODY_LENGTH);
  const good = tokenChecksum(body);
  // Change the last checksum character to any other base62 character.
  const last = BASE62.indexOf(good[CHECKSUM_LENGTH - 1]);
  const wrong = good.slice(0, -1) + BASE62[(last + 1 + Math.floor(Math.random() * 61)) % 62];
  return `${TOKEN_PREFIX}${body}${wrong}`;
}

/** The panel's offline plausibility rule for `xui_` tokens (isPlausibleToken). */
export function hasValidChecksum(token) {
  const match = XUI_TOKEN.exec(token);
  return match !== null && tokenChecksum(match[1]) === match[2];
}
