import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

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
          name: "api",
          include: ["tests/api/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/api/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // One production server is shared by all API files; files run one at a time
          // so throttling and global state tests do not see each other's traffic.
          fileParallelism: false,
          // Vitest runs groups in order: unit (0), then API (1), then reliability (2).
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
    ],
  },
});
