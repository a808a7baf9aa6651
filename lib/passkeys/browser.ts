import "server-only";
import { HttpError } from "@/lib/errors";
import type { BrowserCookie } from "@/lib/http/session-cookie";

/**
 * The key a ceremony's challenge is bound to: the browser cookie's CSRF key.
 * The CSRF check has already required the cookie on every route that gets here;
 * a caller with a bearer token and no cookie has no browser to bind to.
 */
export function browserKeyOf(cookie: BrowserCookie | null): string {
  if (!cookie) throw new HttpError(403, "passkeys need the browser cookie: fetch /csrf-token first");
  return cookie.csrfKey;
}
