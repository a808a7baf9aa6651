import type { TokenScope } from "@/db/schema/api-tokens";
import { scopeAllows } from "@/lib/auth/permissions";
import { endpoints } from "./catalog";

/** Every catalog endpoint a token of `scope` may call (HEAD goes with GET). */
export function allowedEndpoints(scope: TokenScope): { method: string; path: string; summary: string }[] {
  return Object.values(endpoints)
    .filter((e) => scopeAllows(scope, e.permission, e.method))
    .map((e) => ({ method: e.method, path: e.path, summary: e.summary }))
    .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
