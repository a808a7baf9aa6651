import { startPanelServer } from "../tests/support/server";

export const E2E_ADMIN = { username: "admin", password: "e2e-password-123" };

/** One production server on a temp database for the browser suite. */
export default async function globalSetup() {
  const server = await startPanelServer({
    env: { ADMIN_USERNAME: E2E_ADMIN.username, ADMIN_PASSWORD: E2E_ADMIN.password },
  });
  // Workers start after this and inherit the environment.
  process.env.XUI_E2E_BASE_URL = server.baseUrl;
  process.env.XUI_E2E_DATABASE_URL = server.databaseUrl;
  return async () => {
    await server.stop();
  };
}
