import "server-only";
import { createHmac, hash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Session ids, CSRF keys and CSRF tokens: 256 random bits each. The database
 * keeps only a session id's SHA-256, and a CSRF token is an HMAC keyed by the
 * browser's CSRF key (lib/http/session-cookie.ts), so neither a database copy
 * nor a page's CSRF token gives a session away.
 */
export function newRandomId(): string {
  return randomBytes(32).toString("base64url");
}

/** Once per session request: one-shot `crypto.hash`, as for tokens (lib/tokens/format.ts). */
export function hashSessionId(id: string): string {
  return hash("sha256", id, "hex");
}

export function csrfTokenFor(csrfKey: string): string {
  return createHmac("sha256", csrfKey).update("xui-panel csrf v1").digest("base64url");
}

export function isValidCsrfToken(csrfKey: string, presented: string | null | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(csrfKey));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
