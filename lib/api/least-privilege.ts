import "server-only";
import type { Db } from "@/db/client";
import type { TokenScope } from "@/db/schema/constants";
import { scopeAllows } from "@/lib/auth/permissions";
import { getToken } from "@/lib/tokens/service";
import { readTokenUsage, usageDay, usageDayText } from "@/lib/tokens/usage";
import type { TokenUsageReport } from "@/lib/tokens/usage-schemas";
import { endpoints } from "./catalog";
import { allowedEndpoints } from "./permissions";

/**
 * "Least privilege from observed use": what a token called in the last days,
 * measured against what its scope allows, and the narrowest scope that would
 * still allow all of it (as AWS Access Analyzer proposes a policy from use).
 */

/** Fewest routes allowed first; between equals, a read-only monitor token before a node-sync one. */
const BY_BREADTH = (["monitor", "node-sync", "admin"] as const satisfies readonly TokenScope[])
  .slice()
  .sort((a, b) => allowedEndpoints(a).length - allowedEndpoints(b).length);

/**
 * The narrowest scope that allows every `method path` called that `current`
 * still allows (calls made under a wider scope it had before, and routes gone
 * from the catalog, ask for nothing); `current` when none is narrower, so a
 * suggestion always means fewer routes, never more.
 */
export function narrowestScope(called: { method: string; path: string }[], current: TokenScope): TokenScope | null {
  if (called.length === 0) return null;
  const specs = Object.values(endpoints);
  const needed = called
    .flatMap((c) => specs.filter((e) => e.method === c.method && e.path === c.path))
    .filter((e) => scopeAllows(current, e.permission, e.method));
  const covering = BY_BREADTH.filter((scope) => needed.every((e) => scopeAllows(scope, e.permission, e.method)));
  const fewest = allowedEndpoints(covering[0]!).length;
  return allowedEndpoints(current).length === fewest ? current : covering[0]!;
}

export async function tokenUsageReportOf(db: Db, id: number, days: number, now: number): Promise<TokenUsageReport> {
  const token = await getToken(db, id, now);
  const used = await readTokenUsage(db, id, days, now);
  const specs = Object.values(endpoints);
  const routes = used.map((u) => {
    const spec = specs.find((e) => e.method === u.method && e.path === u.route);
    return {
      method: u.method,
      path: u.route,
      calls: u.calls,
      lastUsed: usageDayText(u.lastDay),
      allowed: spec ? scopeAllows(token.scope, spec.permission, spec.method) : false,
    };
  });
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    days,
    since: usageDayText(usageDay(now) - days + 1),
    routes,
    usedRoutes: routes.length,
    allowedRoutes: allowedEndpoints(token.scope).length,
    narrowestScope: narrowestScope(routes, token.scope),
  };
}
