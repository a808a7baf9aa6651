import { initDatabase } from "@/db";
import type { Db } from "@/db/client";
import { serverConfig, type ServerConfig } from "@/lib/config";
import { clientIp, isHttps } from "@/lib/http/client-ip";
import { publicEndpoints, type PublicEndpointKey } from "./public-catalog";
import { finishRequestLog, startRequestLog, type LoggedActor } from "./access-log";
import { fail } from "@/lib/http/envelope";
import { AUTH_MSG, errorResponse } from "./respond";

export interface PublicContext {
  db: Db;
  config: ServerConfig;
  ip: string;
  /** Whether cookies should be marked Secure. */
  https: boolean;
  now: number;
  /** Names the caller in this request's log line once the handler knows it (e.g. after a login). */
  identify(actor: LoggedActor): void;
}

/**
 * For the few routes outside `/panel/api` that a caller may reach without a
 * session (`/login`, `/logout`, `/csrf-token`): same envelope, same error
 * mapping, same request id and log line, no authentication step.
 */
export function publicRoute(
  key: PublicEndpointKey,
  handler: (request: Request, ctx: PublicContext) => Promise<Response>,
): (request: Request) => Promise<Response> {
  const route = publicEndpoints[key].path;
  return async (request) => {
    const log = startRequestLog(request, route);
    let response: Response;
    try {
      const config = serverConfig();
      log.ip = clientIp(request.headers, config.trustProxyHops);
      const { db } = await initDatabase();
      response = await handler(request, {
        db,
        config,
        ip: log.ip,
        https: isHttps(request.headers, request.url, config.trustProxyHops),
        now: Date.now(),
        identify: (actor) => {
          log.actor = actor;
        },
      });
    } catch (error) {
      response = errorResponse(error, { method: request.method, route, requestId: log.requestId });
    }
    return finishRequestLog(log, response);
  };
}

/**
 * For the methods a public route does not serve. Next's own 405 has an empty
 * body, and these routes promise the JSON envelope for every answer.
 */
export function methodNotAllowed(allow: string): (request: Request) => Promise<Response> {
  return async () => fail(AUTH_MSG.methodNotAllowed, 405, { Allow: allow });
}
