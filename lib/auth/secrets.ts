import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Session ids and CSRF tokens. The cookie carries 256 random bits; the
 * database keeps only their SHA-256, and the CSRF token is an HMAC keyed by the
 * cookie, so neither a database copy nor a page's CSRF token gives a session away.
 */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

export function isWellFormedSessionId(value: string | undefined): value is string {
  return value !== undefined && SESSION_ID.test(value);
}

export function hashSessionId(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

export function csrfTokenFor(sessionId: string): string {
  return createHmac("sha256", sessionId).update("xui-panel csrf v1").digest("base64url");
}

export function isValidCsrfToken(sessionId: string, presented: string | null | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(sessionId));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
