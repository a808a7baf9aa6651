import { expect } from "vitest";

/** Sent on every response, pages and API alike (scripts/server.mts). */
export const SECURITY_HEADERS = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

/** The three fixed headers plus a Content-Security-Policy that forbids framing and eval. */
export function expectSecurityHeaders(headers: Headers, where: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(headers.get(name), `${name} on ${where}`).toBe(value);
  const csp = headers.get("content-security-policy");
  expect(csp, `CSP on ${where}`).toBeTruthy();
  expect(csp, `CSP on ${where}`).not.toMatch(/unsafe-eval/);
  expect(csp, `CSP on ${where}`).toMatch(/frame-ancestors 'none'/);
}
