import { initDatabase } from "@/db";
import type { Db } from "@/db/client";
import { serverConfig, type ServerConfig } from "@/lib/config";
import { clientIp, isHttps } from "@/lib/http/client-ip";
import { errorResponse } from "./respond";

export interface PublicContext {
  db: Db;
  config: ServerConfig;
  ip: string;
  /** Whether cookies should be marked Secure. */
  https: boolean;
  now: number;
}

/**
 * For the few routes outside `/panel/api` that a caller may reach without a
 * session (`/login`, `/logout`, `/csrf-token`): same envelope, same error
 * mapping, no authentication step.
 */
export function publicRoute(
  route: string,
  handler: (request: Request, ctx: PublicContext) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const config = serverConfig();
      const { db } = await initDatabase();
      return await handler(request, {
        db,
        config,
        ip: clientIp(request.headers, config.trustProxyHops),
        https: isHttps(request.headers, request.url, config.trustProxyHops),
        now: Date.now(),
      });
    } catch (error) {
      return errorResponse(error, { method: request.method, route });
    }
  };
}
