import { readdirSync } from "node:fs";
import path from "node:path";

export const API_DIR = path.resolve(__dirname, "..", "..", "app", "panel", "api");

export interface RouteFile {
  file: string;
  /** The URL pattern in OpenAPI style, e.g. /panel/api/setting/apiTokens/delete/{id}. */
  pattern: string;
  /** A concrete URL for it (dynamic segments filled in). */
  sample: string;
  catchAll: boolean;
}

/** Every route.ts under app/panel/api, found on disk (not from a list that could go stale). */
export function apiRouteFiles(dir = API_DIR, segments: string[] = []): RouteFile[] {
  const out: RouteFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...apiRouteFiles(path.join(dir, entry.name), [...segments, entry.name]));
    else if (/^route\.(ts|tsx|js|mjs)$/.test(entry.name)) {
      const pattern = ["/panel/api", ...segments]
        .join("/")
        .replace(/\[\.\.\.(\w+)\]/g, "{$1*}")
        .replace(/\[(\w+)\]/g, "{$1}");
      const sample = pattern.replace(/\{\w+\*\}/g, "does/not/exist").replace(/\{\w+\}/g, "1");
      out.push({ file: path.join(dir, entry.name), pattern, sample, catchAll: pattern.includes("*}") });
    }
  }
  return out;
}
