import "server-only";
import { hash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * Token format: `xui_` + 30 random base62 characters (≈178 bits) + a 6-character
 * base62 CRC32 of the random part. The prefix lets secret scanners recognise a
 * panel token; the checksum lets them (and us) reject typos and garbage offline,
 * before any database work.
 */
export const TOKEN_PREFIX = "xui_";
const BODY_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
/** Characters of the plaintext kept for display: the prefix and 4 random characters. */
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 4;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const XUI_TOKEN = /^xui_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/;
/**
 * Tokens that did not come from this panel (imported from 3x-ui) are opaque
 * strings; anything printable without spaces and of sane length may be one.
 */
const FOREIGN_TOKEN = /^[\x21-\x7e]{16,256}$/;

/** Uniform random base62 string (rejection sampling: no modulo bias). */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes at or above it would favour the first characters.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function toBase62(value: number, width: number): string {
  let out = "";
  let n = value;
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
}

export function tokenChecksum(body: string): string {
  return toBase62(crc32(body), CHECKSUM_LENGTH);
}

/**
 * Lowercase hex SHA-256: the only form of a token that is ever stored.
 * One-shot `crypto.hash` (Node ≥ 20.12; package.json asks ≥ 20.15 for
 * zlib's crc32): no Hash object per bearer request.
 */
export function hashToken(plaintext: string): string {
  return hash("sha256", plaintext, "hex");
}

export interface MintedToken {
  plaintext: string;
  hash: string;
  /** Safe to show: `xui_` and the first 4 random characters. */
  prefix: string;
}

export function mintToken(): MintedToken {
  const body = randomBase62(BODY_LENGTH);
  const plaintext = `${TOKEN_PREFIX}${body}${tokenChecksum(body)}`;
  return { plaintext, hash: hashToken(plaintext), prefix: plaintext.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/**
 * Decides, without the database, whether a presented bearer string could be a
 * token at all. `xui_` strings must be well formed with a valid checksum;
 * other strings are looked up only if they look like an imported token.
 */
export function isPlausibleToken(presented: string): boolean {
  if (presented.startsWith(TOKEN_PREFIX)) {
    const match = XUI_TOKEN.exec(presented);
    return match !== null && tokenChecksum(match[1]!) === match[2];
  }
  return FOREIGN_TOKEN.test(presented);
}

export const TOKEN_FORMAT = { bodyLength: BODY_LENGTH, checksumLength: CHECKSUM_LENGTH } as const;
