import { COOKIE_INTERNAL_HEADER } from "./edge";

/**
 * The browser cookie, named as 3x-ui names its own (`3x-ui`): clients such as
 * py3xui send back only a cookie of that name. HttpOnly (scripts never see
 * it), SameSite=Lax (not sent on cross-site POSTs), Secure over HTTPS.
 *
 * Its value is `<csrfKey>` before login and `<csrfKey>.<sessionId>` after it:
 * the session id is new at every login (no fixation), while the CSRF key stays
 * with the browser, so a CSRF token fetched before login keeps working after
 * it, as in 3x-ui (whose login writes into the same cookie session).
 */
export const SESSION_COOKIE = "3x-ui";

/** 256 random bits, base64url: the shape of both parts. */
const PART = /^[A-Za-z0-9_-]{43}$/;

export interface BrowserCookie {
  csrfKey: string;
  /** The session's id while signed in (only its SHA-256 is stored), else null. */
  sessionId: string | null;
}

/** A cookie's value, from the header the server moved it to on `/panel/api` (lib/http/edge.ts) or the request's own. */
export function readCookie(headers: Headers, name: string): string | undefined {
  const header = headers.get(COOKIE_INTERNAL_HEADER) ?? headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The cookie's parts, or null when it is absent or not of our making. */
export function parseBrowserCookie(value: string | undefined): BrowserCookie | null {
  if (!value) return null;
  const [csrfKey, sessionId, extra] = value.split(".");
  if (extra !== undefined || !PART.test(csrfKey!)) return null;
  if (sessionId === undefined) return { csrfKey: csrfKey!, sessionId: null };
  return PART.test(sessionId) ? { csrfKey: csrfKey!, sessionId } : null;
}

export function readBrowserCookie(headers: Headers): BrowserCookie | null {
  return parseBrowserCookie(readCookie(headers, SESSION_COOKIE));
}

export function browserCookieValue(cookie: BrowserCookie): string {
  return cookie.sessionId ? `${cookie.csrfKey}.${cookie.sessionId}` : cookie.csrfKey;
}

export function sessionCookie(cookie: BrowserCookie, secure: boolean, maxAgeSeconds?: number): string {
  const parts = [`${SESSION_COOKIE}=${browserCookieValue(cookie)}`, "Path=/", "HttpOnly", "SameSite=Lax"];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0"];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}
