import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { endpoints, type EndpointKey } from "@/lib/api/catalog";
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
