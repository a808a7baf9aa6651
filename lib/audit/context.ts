import type { AuditActorType } from "@/db/schema/audit-events";
import type { Actor } from "@/lib/auth/request-auth";

/** Who an audit row names as the actor. Never a secret: ids and names only. */
export interface AuditActor {
  type: AuditActorType;
  id: number | null;
  name: string;
}

/** Passed to every service function that changes something, so it can audit in the same transaction. */
export interface AuditContext {
  actor: AuditActor;
  ip: string;
}

export function auditActorOf(actor: Actor): AuditActor {
  return actor.kind === "session"
    ? { type: "session", id: actor.userId, name: actor.username }
    : { type: "token", id: actor.tokenId, name: actor.tokenName };
}

export const ANONYMOUS: AuditActor = { type: "anonymous", id: null, name: "" };

/** The command line and other server-side jobs. */
export function systemContext(name = "cli"): AuditContext {
  return { actor: { type: "system", id: null, name }, ip: "" };
}
