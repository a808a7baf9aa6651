import { randomUUID } from "node:crypto";

/**
 * What the HTTP server (scripts/server.mts) and the app agree on. The server
 * owns both internal headers: it sets them on every request from the socket
 * and its own request id, overwriting anything a client sent under those names.
 */
export const SOCKET_ADDRESS_HEADER = "x-xui-socket-address";
export const REQUEST_ID_INTERNAL_HEADER = "x-xui-request-id";
export const REQUEST_ID_HEADER = "X-Request-Id";
/**
 * A `/panel/api` request's Cookie header, moved here by the server: Next.js
 * parses the Cookie header of every request it routes, twice over (preview
 * mode, the `cookies()` store), for route handlers that read it themselves
 * (lib/http/session-cookie.ts). That parsing cost a session request about 5 % of
 * its throughput (bench/README.md).
 */
export const COOKIE_INTERNAL_HEADER = "x-xui-cookie";

/**
 * An incoming X-Request-Id is kept when it looks like an id (UUID, ULID, a
 * proxy's trace id): short, no spaces or quotes. Anything else is replaced, so
 * a client cannot stuff the log with junk.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:+=/-]{1,128}$/;

export function requestIdFor(incoming: string | undefined | null): string {
  const trimmed = incoming?.trim() ?? "";
  return SANE_REQUEST_ID.test(trimmed) ? trimmed : randomUUID();
}

/** On every response, pages, API and static files alike; pages and JSON routes replace the CSP with their own. */
export const SECURITY_HEADERS = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
} as const;

/** Headers of every JSON answer: never cached, never rendered as a document. */
export const JSON_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
} as const;
