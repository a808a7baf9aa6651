import type { TestProject } from "vitest/node";
import { startPanelServer, type PanelServer } from "../support/server";

export const ADMIN = { username: "admin", password: "api-suite-password-1" };

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    databaseUrl: string;
    admin: { username: string; password: string };
  }
}

let server: PanelServer | undefined;

/**
 * One real production server for the API suite, on a fresh temp database.
 * `npm test` builds before running this; run `npm run build` first when
 * calling vitest directly.
 */
export default async function setup(project: TestProject) {
  server = await startPanelServer({
    env: {
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      // The suite logs in many times from 127.0.0.1; the per-IP budget is tested with its own server.
      LOGIN_MAX_FAILURES_PER_IP: "1000",
      // The suites send hundreds of bad bearer tokens on purpose; the 20-per-minute
      // default is tested on a server of its own (tests/api/lifecycle.test.ts).
      BEARER_MAX_FAILURES_PER_MINUTE: "100000",
    },
  });
  project.provide("baseUrl", server.baseUrl);
  project.provide("databaseUrl", server.databaseUrl);
  project.provide("admin", ADMIN);
  return async () => {
    await server?.stop();
  };
}
