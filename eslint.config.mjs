import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "node_modules/**", "test-results/**", "playwright-report/**", "tmp/**", "data/**", ".tools/**", "next-env.d.ts"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // No import cycles. The `import` plugin and its resolvers (node, and typescript
    // for the `@/…` paths of tsconfig.json) come from eslint-config-next. The rule
    // always skips `import type`; tests/unit/layers.test.ts counts type imports and
    // also fails on cycles between folders (lib/<domain>/, db/, app/, …).
    files: ["**/*.{js,jsx,mjs,ts,tsx,mts,cts}"],
    rules: {
      "import/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    // db/ is the bottom layer: configuration reaches it as parameters or from process.env.
    files: ["db/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(@/|(\\.\\./)+)lib(/|$)", message: "db/ imports nothing from lib/." }] },
      ],
    },
  },
]);
