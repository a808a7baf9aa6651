import "server-only";
import { LOGIN_MSG, type LoginResult } from "@/lib/auth/login";
import { newRandomId } from "@/lib/auth/secrets";
import type { ServerConfig } from "@/lib/config";
import { sessionCookie, type BrowserCookie } from "@/lib/http/session-cookie";
import type { LoggedActor } from "./access-log";
import { Reply } from "./route";

/**
 * The answer to a successful sign-in (password or passkey): the new session's
 * cookie, and the caller named in the request's log line.
 */
export function signedInReply(
  result: LoginResult,
  ctx: { cookie: BrowserCookie | null; https: boolean; config: ServerConfig; identify(actor: LoggedActor): void },
): Reply<null> {
  ctx.identify({ type: "session", username: result.username });
  // The browser keeps its CSRF key (the token it fetched before login stays valid). Only a caller
  // that sent a bearer token instead of a CSRF token comes without one, and gets a new key.
  const csrfKey = ctx.cookie?.csrfKey ?? newRandomId();
  return new Reply(null, LOGIN_MSG.success, {
    "Set-Cookie": sessionCookie({ csrfKey, sessionId: result.sessionId }, ctx.https, Math.floor(ctx.config.sessionMaxMs / 1000)),
  });
}
