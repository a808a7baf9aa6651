import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The source layers: each lib/<domain>/ folder (and each file directly in lib/)
 * is a node, as are app/, components/, cli/ and db/. Imports must point one way
 * between them, `import type` included: a cycle through types still means the
 * modules do not layer. (ESLint's import/no-cycle catches file cycles of value
 * imports; this test adds type imports and cycles between folders.)
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SOURCE_DIRS = ["app", "components", "cli", "db", "lib"];
const EXTENSIONS = [".ts", ".tsx", ".mts", ".js", ".mjs"];
/** `from "…"`, `import "…"` and `import("…")`. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

/** node → imported node → for a folder edge, one import that makes it. */
type Graph = Map<string, Map<string, string>>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return EXTENSIONS.includes(path.extname(entry.name)) ? [full] : [];
  });
}

/** The file an import names, or null for a package (or anything outside the project). */
function resolveImport(fromFile: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = path.join(ROOT, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(fromFile), specifier);
  else return null;
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, "index" + e))];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** `lib/auth/`, `lib/config.ts`, `db/`, …; null outside the layers (package.json, tests/…). */
function layerOf(file: string): string | null {
  const [top, second, third] = path.relative(ROOT, file).split(path.sep);
  if (!top || !SOURCE_DIRS.includes(top)) return null;
  if (top !== "lib") return `${top}/`;
  return third ? `lib/${second}/` : `lib/${second}`;
}

const rel = (file: string) => path.relative(ROOT, file);

function buildGraphs(): { files: Graph; layers: Graph } {
  const files: Graph = new Map();
  const layers: Graph = new Map();
  const addEdge = (graph: Graph, from: string, to: string, why: string) => {
    if (!graph.has(from)) graph.set(from, new Map());
    if (from !== to && !graph.get(from)!.has(to)) graph.get(from)!.set(to, why);
  };
  for (const file of SOURCE_DIRS.flatMap((dir) => sourceFiles(path.join(ROOT, dir)))) {
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = resolveImport(file, specifier!);
      if (!target) continue;
      addEdge(files, rel(file), rel(target), "");
      const [from, to] = [layerOf(file), layerOf(target)];
      if (from && to) addEdge(layers, from, to, `${rel(file)} imports ${rel(target)}`);
    }
  }
  return { files, layers };
}

/** The first cycle found, each step with the import that makes it; null if there is none. */
function findCycle(graph: Graph): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    const start = path.indexOf(node);
    if (start >= 0) {
      const loop = [...path.slice(start), node];
      return loop.slice(1).map((to, i) => {
        const why = graph.get(loop[i]!)!.get(to);
        return `${loop[i]} → ${to}${why ? `  (${why})` : ""}`;
      });
    }
    if (done.has(node)) return null;
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe("layers (imports point one way)", () => {
  const { files, layers } = buildGraphs();

  it("sees the layers it checks", () => {
    expect([...layers.keys()]).toEqual(expect.arrayContaining(["app/", "components/", "cli/", "db/", "lib/auth/", "lib/audit/", "lib/tokens/"]));
  });

  it("has no cycle between folders", () => {
    expect(findCycle(layers)).toBeNull();
  });

  it("has no cycle between files, type-only imports included", () => {
    expect(findCycle(files)).toBeNull();
  });

  it("db/ imports nothing from lib/", () => {
    const fromDb = [...files].flatMap(([file, imports]) =>
      file.startsWith("db/") ? [...imports.keys()].filter((t) => t.startsWith("lib/")).map((t) => `${file} imports ${t}`) : [],
    );
    expect(fromDb).toEqual([]);
  });
});
