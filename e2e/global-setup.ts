import { startPanelServer } from "../tests/support/server";

export const E2E_ADMIN = { username: "admin", password: "e2e-password-123" };

/** One production server on a temp database for the browser suite. */
export default async function globalSetup() {
  const server = await startPanelServer({
    // Webhooks may reach the receiver the webhooks spec runs on 127.0.0.1, and retry within a second.
    env: { ADMIN_USERNAME: E2E_ADMIN.username, ADMIN_PASSWORD: E2E_ADMIN.password, WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_SECONDS: "1" },
  });
  // Workers start after this and inherit the environment.
  process.env.XUI_E2E_BASE_URL = server.baseUrl;
  process.env.XUI_E2E_DATABASE_URL = server.databaseUrl;
  return async () => {
    await server.stop();
  };
}
