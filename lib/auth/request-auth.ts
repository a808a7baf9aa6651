import type { Db } from "@/db/client";
import type { TokenScope } from "@/db/schema/api-tokens";
import type { ServerConfig } from "@/lib/config";
import { readCookie, SESSION_COOKIE } from "@/lib/http/session-cookie";
import { verifyBearerToken, type VerifiedToken } from "@/lib/tokens/verifier";
import type { ThrottlePolicy } from "./credential-guard";
import { resolveSession, type SessionPolicy } from "./sessions";

/** Who is calling. Handlers get this; it never holds a secret. */
export type Actor =
  | { kind: "session"; userId: number; username: string; sessionHash: string }
  | { kind: "token"; tokenId: number; tokenName: string; scope: TokenScope };

/**
 * Longest bearer string we will even hash. Minted tokens are 40 characters and
 * imported ones at most 256; a 10 KB header is refused without work.
 */
const MAX_BEARER_LENGTH = 512;

/**
 * The bearer string if the request carries `Authorization: Bearer …` (possibly
 * empty), else null. Other schemes (Basic …) are not ours and count as absent.
 */
export function presentedBearer(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (!header) return null;
  const match = /^bearer(?:\s+(.*))?$/is.exec(header.trim());
  return match ? (match[1] ?? "").trim() : null;
}

export function sessionPolicy(config: ServerConfig): SessionPolicy {
  return { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs };
}

export function throttlePolicy(config: ServerConfig): ThrottlePolicy {
  return {
    maxFailures: config.loginMaxFailures,
    maxFailuresPerIp: config.loginMaxFailuresPerIp,
    windowMs: config.loginWindowMs,
  };
}

/**
 * Resolves the caller. A bearer header, when present, is the only credential
 * considered: a bad token fails even if a valid session cookie rides along.
 */
export function authenticate(
  db: Db,
  headers: Headers,
  config: ServerConfig,
  ip: string,
  now = Date.now(),
  /** presentedBearer(headers), when the caller has read it already. */
  bearer: string | null = presentedBearer(headers),
): Actor | null | Promise<Actor | null> {
  if (bearer !== null) {
    if (bearer.length === 0 || bearer.length > MAX_BEARER_LENGTH) return null;
    // Synchronous when the verifier answers from its cache (see verifyBearerToken).
    const token = verifyBearerToken(db, bearer, { ip, now });
    return token instanceof Promise ? token.then(tokenActor) : tokenActor(token);
  }
  return resolveSession(db, readCookie(headers, SESSION_COOKIE), sessionPolicy(config), now).then(
    (session) => session && { kind: "session", ...session },
  );
}

function tokenActor(token: VerifiedToken | null): Actor | null {
  return token && { kind: "token", tokenId: token.id, tokenName: token.name, scope: token.scope };
}
