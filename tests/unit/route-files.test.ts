import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { endpoints, type EndpointKey } from "@/lib/api/catalog";
import { publicEndpoints } from "@/lib/api/public-catalog";
import { API_ROUTE, ROUTE_METHODS } from "@/lib/api/route";
import { apiRouteFiles } from "../support/routes";

const files = apiRouteFiles();

describe("every /panel/api route goes through apiRoute()", () => {
  it("finds the route files", () => {
    expect(files.length).toBeGreaterThanOrEqual(Object.keys(endpoints).length);
  });

  it.each(files.map((f) => [f.pattern, f] as const))("%s exports only apiRoute() handlers for every method", async (_, f) => {
    const mod = (await import(f.file)) as Record<string, unknown>;
    for (const method of ROUTE_METHODS) {
      const handler = mod[method] as { [API_ROUTE]?: unknown } | undefined;
      expect(typeof handler, `${method} missing`).toBe("function");
      expect(handler![API_ROUTE], `${method} not made by apiRoute()`).not.toBeUndefined();
    }
    // Nothing else that Next would treat as a handler or could bypass the wrapper.
    const allowed = new Set<string>([...ROUTE_METHODS, "dynamic"]);
    expect(Object.keys(mod).filter((k) => !allowed.has(k))).toEqual([]);
    // And the source cannot sneak a second, unwrapped handler in via re-export.
    const source = readFileSync(f.file, "utf8");
    expect(source).not.toMatch(/export\s+(async\s+)?function/);
    expect(source).not.toMatch(/export\s+\{/);
  });

  it("binds each catalog endpoint exactly once, in the file of its path and method", async () => {
    const bound = new Map<EndpointKey, string>();
    for (const f of files) {
      const mod = (await import(f.file)) as Record<string, { [API_ROUTE]: EndpointKey | null }>;
      for (const method of ROUTE_METHODS) {
        const key = mod[method]![API_ROUTE];
        if (!key || method === "HEAD") continue;
        expect(endpoints[key].path).toBe(f.pattern);
        expect(endpoints[key].method).toBe(method);
        expect(bound.has(key), `${key} bound twice`).toBe(false);
        bound.set(key, f.pattern);
      }
    }
    expect([...bound.keys()].sort()).toEqual(Object.keys(endpoints).sort());
  });
});

describe("every route outside /panel/api goes through apiRoute() too", () => {
  const APP_DIR = path.resolve(__dirname, "..", "..", "app");
  const publicFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return full === path.join(APP_DIR, "panel", "api") ? [] : publicFiles(full);
      return /^route\.(ts|tsx|js|mjs)$/.test(entry.name) ? [full] : [];
    });

  it("binds each public catalog endpoint exactly once, with every method exported by apiRoute()", async () => {
    const bound: string[] = [];
    for (const file of publicFiles(APP_DIR)) {
      const mod = (await import(file)) as Record<string, { [API_ROUTE]?: string | null }>;
      for (const method of ROUTE_METHODS) {
        expect(mod[method]?.[API_ROUTE], `${path.relative(APP_DIR, file)} ${method}`).not.toBeUndefined();
        const key = mod[method]![API_ROUTE];
        if (key && method !== "HEAD") bound.push(key);
      }
    }
    expect(bound.sort()).toEqual(Object.keys(publicEndpoints).sort());
  });
});
