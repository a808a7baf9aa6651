import type { AuditActorType } from "@/db/schema/audit-events";

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

export const ANONYMOUS: AuditActor = { type: "anonymous", id: null, name: "" };

/** The command line and other server-side jobs. */
export function systemContext(name = "cli"): AuditContext {
  return { actor: { type: "system", id: null, name }, ip: "" };
}
