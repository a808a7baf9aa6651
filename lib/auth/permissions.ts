import type { TokenScope } from "@/db/schema/api-tokens";

/**
 * What an endpoint needs. Every `/panel/api` endpoint names exactly one
 * permission in the catalog (lib/api/catalog.ts); scopes grant sets of them.
 */
export const PERMISSIONS = {
  /** Read-only machine status. */
  statusRead: "status:read",
  /** The calling token's own view (introspection): every scope has it. */
  self: "token:self",
  /** Everything else: tokens, settings, admin credentials. */
  admin: "admin",
} as const;
export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

const SAFE_METHODS = new Set(["GET", "HEAD"]);

const GRANTS: Record<TokenScope, ReadonlySet<Permission>> = {
  admin: new Set(Object.values(PERMISSIONS)),
  // GET/HEAD on read-only status routes only.
  monitor: new Set([PERMISSIONS.statusRead, PERMISSIONS.self]),
  // The node-sync allowlist; of this panel's routes, only server status (and introspection) so far.
  "node-sync": new Set([PERMISSIONS.statusRead, PERMISSIONS.self]),
};

/**
 * Whether a token of `scope` may call an endpoint. Anything but `admin` is
 * read-only whatever the permission says, so a mislabelled write endpoint still
 * fails closed.
 */
export function scopeAllows(scope: TokenScope, permission: Permission, method: string): boolean {
  if (scope === "admin") return true;
  return SAFE_METHODS.has(method) && GRANTS[scope].has(permission);
}
