import type { Db } from "@/db/client";
import type { TokenScope } from "@/db/schema/api-tokens";
import type { AuditActor } from "@/lib/audit/context";
import type { ServerConfig } from "@/lib/config";
import type { BrowserCookie } from "@/lib/http/session-cookie";
import { verifyBearerToken, type BearerRequest } from "@/lib/tokens/verifier";
import type { ThrottlePolicy } from "./credential-guard";
import { resolveSession, type SessionPolicy } from "./sessions";

/** Who is calling. Handlers get this; it never holds a secret. */
export type Actor =
  | { kind: "session"; userId: number; username: string; sessionHash: string; authenticatedAt: number }
  | { kind: "token"; tokenId: number; tokenName: string; scope: TokenScope; rateLimitPerMinute: number; expiresAt: number };

/** The audit rows' name for a caller (here, not in lib/audit/: auth depends on audit, never the reverse). */
export function auditActorOf(actor: Actor): AuditActor {
  return actor.kind === "session"
    ? { type: "session", id: actor.userId, name: actor.username }
    : { type: "token", id: actor.tokenId, name: actor.tokenName };
}

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

/** The token behind a bearer string, or null for anything that is not a valid token here. */
export async function bearerActor(db: Db, bearer: string, request: BearerRequest & { now: number }): Promise<Actor | null> {
  if (bearer.length === 0 || bearer.length > MAX_BEARER_LENGTH) return null;
  const token = await verifyBearerToken(db, bearer, request);
  return (
    token && {
      kind: "token",
      tokenId: token.id,
      tokenName: token.name,
      scope: token.scope,
      rateLimitPerMinute: token.rateLimitPerMinute,
      expiresAt: token.expiresAt,
    }
  );
}

/** The admin behind the browser cookie's session, or null. */
export async function sessionActor(db: Db, cookie: BrowserCookie | null, config: ServerConfig, now: number): Promise<Actor | null> {
  const session = await resolveSession(db, cookie?.sessionId, sessionPolicy(config), now);
  return session && { kind: "session", ...session };
}
