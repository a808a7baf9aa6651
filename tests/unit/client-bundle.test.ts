import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NAME_MSG } from "@/lib/tokens/token-name";

/**
 * The browser's JavaScript holds no database code: what the client components
 * need from the schema lives in dependency-free modules (db/schema/constants.ts,
 * lib/tokens/token-name.ts), and server modules import `server-only`.
 *
 * Reads the production build's client chunks, so it needs a build: `npm test`
 * runs `next build` before Vitest (scripts/test.mjs). Without one the test
 * fails rather than pass on nothing.
 */
const ROOT = path.resolve(import.meta.dirname, "..", "..");
const CHUNKS = path.join(ROOT, ".next", "static", "chunks");

/**
 * Strings minification cannot remove: Drizzle keys its classes with
 * `Symbol.for("drizzle:entityKind")` and names its tracer "drizzle-orm";
 * `sqliteTable` and the libSQL names survive in unminified builds and imports.
 */
const SERVER_MARKERS = ["drizzle-orm", "drizzle:entityKind", "sqliteTable", "@libsql", "libsql", "node:crypto", "node:fs"];

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(full);
    return entry.name.endsWith(".js") ? [full] : [];
  });
}

describe("browser-safe modules", () => {
  /** `from "…"`, `import "…"` and `import("…")`, type imports included. */
  const imports = (file: string) =>
    [...readFileSync(path.join(ROOT, file), "utf8").matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)].map((m) => m[1]);

  it("db/schema/constants.ts imports nothing", () => {
    expect(imports("db/schema/constants.ts")).toEqual([]);
  });

  it("lib/tokens/token-name.ts imports the shared name rule only, which imports zod only", () => {
    expect(imports("lib/tokens/token-name.ts")).toEqual(["@/lib/display-name"]);
    expect(imports("lib/display-name.ts")).toEqual(["zod"]);
  });
});

describe("client chunks", () => {
  it("exist (a production build is there to check)", () => {
    expect(
      existsSync(CHUNKS),
      `no client chunks at ${path.relative(ROOT, CHUNKS)}: run \`next build\` first (\`npm test\` does)`,
    ).toBe(true);
  });

  const files = existsSync(CHUNKS) ? jsFiles(CHUNKS) : [];
  const sources = files.map((file) => ({ file: path.relative(CHUNKS, file), text: readFileSync(file, "utf8") }));

  it("include the Security page's client code (so the scan looks at the right files)", () => {
    expect(files.length, "no .js files among the client chunks").toBeGreaterThan(0);
    // The create form checks token names in the browser with these texts.
    expect(sources.some(({ text }) => text.includes(NAME_MSG.nameRequired))).toBe(true);
  });

  it("hold no Drizzle, libSQL or Node built-in code", () => {
    const found = sources.flatMap(({ file, text }) =>
      SERVER_MARKERS.filter((marker) => text.includes(marker)).map((marker) => `${file}: ${marker}`),
    );
    expect(found).toEqual([]);
  });
});
