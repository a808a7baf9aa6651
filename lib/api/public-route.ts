import { initDatabase } from "@/db";
import type { Db } from "@/db/client";
import { serverConfig, type ServerConfig } from "@/lib/config";
import { clientIp, isHttps } from "@/lib/http/client-ip";
import { fail } from "@/lib/http/envelope";
import { AUTH_MSG, errorResponse } from "./respond";

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

/**
 * For the methods a public route does not serve. Next's own 405 has an empty
 * body, and these routes promise the JSON envelope for every answer.
 */
export function methodNotAllowed(allow: string): (request: Request) => Promise<Response> {
  return async () => fail(AUTH_MSG.methodNotAllowed, 405, { Allow: allow });
}
