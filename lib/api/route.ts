import "server-only";
import type { z } from "zod";
import { initDatabase } from "@/db";
import type { Db } from "@/db/client";
import { minuteBucket, noteAggregated } from "@/lib/audit/aggregate";
import { ANONYMOUS, type AuditContext } from "@/lib/audit/context";
import { TOKEN_SCOPES } from "@/db/schema/constants";
import { recordBearerFailure } from "@/lib/auth/bearer-throttle";
import { scopeAllows } from "@/lib/auth/permissions";
import { auditActorOf, bearerActor, presentedBearer, sessionActor, type Actor } from "@/lib/auth/request-auth";
import { isValidCsrfToken } from "@/lib/auth/secrets";
import { serverConfig, type ServerConfig } from "@/lib/config";
import { HttpError } from "@/lib/errors";
import { bodyFields, discardBody, readBody, textField, type DecodedBody } from "@/lib/http/body";
import { clientIp, isHttps } from "@/lib/http/client-ip";
import { JSON_HEADERS } from "@/lib/http/edge";
import { envelopeText, fail, jsonResponse, jsonTextResponse, ok } from "@/lib/http/envelope";
import { readBrowserCookie, type BrowserCookie } from "@/lib/http/session-cookie";
import { Streamed } from "@/lib/streamed";
import { enforceTokenRateLimit } from "@/lib/tokens/rate-limit";
import { noteTokenUsage } from "@/lib/tokens/usage";
import { finishRequestLog, loggedActor, startRequestLog, type LoggedActor, type RequestLogEntry } from "./access-log";
import { endpoints, type HttpMethod, type RouteSpec } from "./catalog";
import { publicEndpoints } from "./public-catalog";
import { shapedOnce } from "./frozen-body";
import { ACCEPTED_SCOPES_HEADER, AUTH_MSG, errorResponse, isBadRequest, TOKEN_EXPIRES_HEADER, unauthenticatedResponse } from "./respond";

/** Every route the pipeline serves: the `/panel/api` endpoints and the public ones. */
const routes = { ...endpoints, ...publicEndpoints };
export type RouteKey = keyof typeof routes;
type Route<K extends RouteKey> = (typeof routes)[K];

type BodyOf<S> = S extends { body: z.ZodType } ? z.output<S["body"]> : undefined;
type ParamsOf<S> = S extends { params: z.ZodType } ? z.output<S["params"]> : undefined;
type QueryOf<S> = S extends { query: z.ZodType } ? z.output<S["query"]> : undefined;
type ActorOf<S> = S extends { permission: "public" } ? Actor | null : Actor;
type ObjOf<S> = S extends { response: z.ZodType }
  ? z.input<S["response"]>
  : S extends { rawResponse: z.ZodType }
    ? z.input<S["rawResponse"]>
    : null | void;
/** What a handler may return: `obj`, or `obj` with a message, or (where the entry says `streamed`) a body made as it is sent. */
type ResultOf<S> = ObjOf<S> | Reply<ObjOf<S>> | (S extends { streamed: true } ? Streamed : never);

/** A result with what the envelope says besides `obj`: its `msg`, headers (a Set-Cookie, say). */
export class Reply<T> {
  constructor(
    readonly obj: T,
    readonly msg = "",
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface HandlerContext<K extends RouteKey> {
  db: Db;
  config: ServerConfig;
  /** The authenticated caller; on public routes a bearer token's, or null. */
  actor: ActorOf<Route<K>>;
  /** The actor (or anonymous) and IP, for the audit rows a change writes. */
  audit: AuditContext;
  body: BodyOf<Route<K>>;
  params: ParamsOf<Route<K>>;
  query: QueryOf<Route<K>>;
  /** The browser cookie's parts, when the request carries one of ours. */
  cookie: BrowserCookie | null;
  /** The caller's address (socket, or X-Forwarded-For from a trusted proxy). */
  ip: string;
  /** Whether cookies should be marked Secure. */
  https: boolean;
  request: Request;
  /** One clock reading per request. */
  now: number;
  /** Names the caller in this request's log line once the handler knows it (after a login). */
  identify(actor: LoggedActor): void;
}

export interface BoundEndpoint {
  key: RouteKey;
  run(ctx: HandlerContext<RouteKey>): Promise<unknown>;
}

/** Binds a handler to its catalog entry; the types of body, params and result follow from the entry. */
export function endpoint<K extends RouteKey>(
  key: K,
  handler: (ctx: HandlerContext<K>) => Promise<ResultOf<Route<K>>> | ResultOf<Route<K>>,
): BoundEndpoint {
  return { key, run: async (ctx) => handler(ctx as unknown as HandlerContext<K>) };
}

/** Marks handlers made by apiRoute() (and which endpoint each serves), so a test can prove every route uses it. */
export const API_ROUTE = Symbol.for("xui-panel.api-route");

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type RouteHandler = (request: Request, context: NextRouteContext) => Promise<Response>;
export const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type RouteExports = Record<(typeof ROUTE_METHODS)[number], RouteHandler>;
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The route pattern logged for `/panel/api` paths that match no endpoint. */
export const CATCH_ALL_ROUTE = "/panel/api/{rest*}";

const acceptedScopes = (entry: RouteSpec) =>
  TOKEN_SCOPES.filter((scope) => entry.permission !== "public" && scopeAllows(scope, entry.permission, entry.method)).join(", ");

/** What one request to one route file needs to know. */
interface Call {
  request: Request;
  context: NextRouteContext;
  /** The endpoint bound to this method, if any. */
  binding: BoundEndpoint | undefined;
  /** Any endpoint of the file: its permission and path stand for the file's other methods. */
  spec: RouteSpec | undefined;
  /** The Allow header's methods; null for the catch-all, which knows no route. */
  allow: string | null;
  log: RequestLogEntry;
  /** The calling token's expiry (Unix ms) once it is verified; 0 = none or not a token. */
  tokenExpiresAt: number;
}

/**
 * The only way to write a route handler. It exports a handler for every HTTP
 * method, so nothing falls through to Next's defaults, and runs each request
 * through the same steps, driven by the endpoint's catalog entry:
 *   resolve the caller → check the permission → check CSRF → parse the input
 *   → run the handler → shape the response through its allow-list → log.
 * Every error is mapped in errorResponse(). On `/panel/api`, a method without
 * a binding answers 405 only after authentication, so an anonymous caller
 * cannot probe which routes exist.
 */
export function apiRoute(bindings: Partial<Record<HttpMethod, BoundEndpoint>>): RouteExports {
  for (const [method, binding] of Object.entries(bindings)) {
    if (binding && routes[binding.key].method !== method) {
      throw new Error(`${binding.key} is a ${routes[binding.key].method} endpoint, bound to ${method}`);
    }
  }
  const first = Object.values(bindings)[0];
  const spec: RouteSpec | undefined = first && routes[first.key];
  const allow = first === undefined ? null : [...Object.keys(bindings), ...(bindings.GET ? ["HEAD"] : []), "OPTIONS"].join(", ");
  // Logged instead of the URL: a fixed set of values, and no path a client typed (it may hold anything).
  const route = spec?.path ?? CATCH_ALL_ROUTE;
  const exports = {} as RouteExports;
  for (const method of ROUTE_METHODS) {
    const binding = method === "HEAD" ? bindings.GET : method === "OPTIONS" ? undefined : bindings[method];
    exports[method] = Object.assign(
      async (request: Request, context: NextRouteContext): Promise<Response> => {
        const entry: RouteSpec | undefined = binding && routes[binding.key];
        const log = startRequestLog(request, route, entry?.logLevel);
        const call: Call = { request, context, binding, spec, allow, log, tokenExpiresAt: 0 };
        let response: Response;
        try {
          response = await handle(call);
        } catch (error) {
          response = errorResponse(error, {
            method: request.method,
            route,
            requestId: log.requestId,
            badRequestStatus: entry !== undefined && isBadRequest(entry, error),
          });
        }
        // Every answer to an expiring token, success or not, says when it expires.
        if (call.tokenExpiresAt > 0) response.headers.set(TOKEN_EXPIRES_HEADER, String(call.tokenExpiresAt));
        return finishRequestLog(log, response);
      },
      { [API_ROUTE]: binding?.key ?? null },
    );
  }
  return exports;
}

/** The request as the steps after the first see it. */
interface Caller {
  db: Db;
  config: ServerConfig;
  ip: string;
  now: number;
  cookie: BrowserCookie | null;
  actor: Actor | null;
  /** A bearer token was presented and refused. */
  bearerRefused: boolean;
}

async function handle(call: Call): Promise<Response> {
  const caller = await resolveCaller(call);
  const refusal = checkPermission(call, caller);
  if (refusal) return refusal;
  const { binding, request } = call;
  const spec: RouteSpec = routes[binding!.key];
  const body = spec.body ? await readBodyOrError(request) : undefined;
  if (!spec.body) await discardBody(request);
  const forged = checkCsrf(spec, request, caller, body);
  if (forged) return forged;
  const input = await parseInput(call, spec, body);
  const result = await binding!.run({
    ...caller,
    params: input.params as never,
    query: input.query as never,
    body: input.body as never,
    actor: caller.actor as never,
    audit: { actor: caller.actor ? auditActorOf(caller.actor) : ANONYMOUS, ip: caller.ip },
    https: isHttps(request.headers, request.url, caller.config.trustProxy),
    request,
    identify: (actor) => {
      call.log.actor = actor;
    },
  });
  const response = shapeResponse(binding!.key, spec, result);
  if (result instanceof Streamed) {
    // Next.js answers HEAD with the headers alone and never reads the body: stop making it.
    if (request.method === "HEAD") void result.body.cancel();
    else call.log.streamed = true;
  }
  return response;
}

/**
 * Who is calling: a bearer header, when present, is the only credential
 * considered (a bad token fails even if a valid session cookie rides along);
 * else, on `/panel/api`, the session cookie. Public routes look at a bearer
 * token only (it spares a script the CSRF dance) and never at the session.
 */
async function resolveCaller(call: Call): Promise<Caller> {
  const { db } = await initDatabase();
  const config = serverConfig();
  const headers = call.request.headers;
  const ip = clientIp(headers, config.trustProxy);
  call.log.ip = ip;
  const now = Date.now();
  const cookie = readBrowserCookie(headers);
  const bearer = presentedBearer(headers);
  let actor: Actor | null = null;
  let bearerRefused = false;
  if (bearer !== null) {
    actor = await bearerActor(db, bearer, {
      ip,
      now,
      route: `${call.request.method} ${call.spec?.path ?? CATCH_ALL_ROUTE}`,
      userAgent: headers.get("user-agent") ?? "",
    });
    bearerRefused = !actor;
  } else if (call.spec?.permission !== "public") {
    actor = await sessionActor(db, cookie, config, now);
  }
  if (actor) call.log.actor = loggedActor(actor);
  if (actor?.kind === "token") call.tokenExpiresAt = actor.expiresAt;
  // Only tokens that have a limit pay for it (a Map lookup): the check is in memory, the count written later.
  if (actor?.kind === "token" && actor.rateLimitPerMinute > 0) await enforceTokenRateLimit(db, actor, now);
  if (bearerRefused) {
    // Only refused tokens count, and only they are turned away while an address is throttled:
    // one broken bot behind a NAT must not lock out the good ones.
    const wait = await recordBearerFailure(db, ip, now, config.bearerMaxFailuresPerMinute);
    if (wait > 0) throw new HttpError(429, AUTH_MSG.bearerThrottled, { "Retry-After": String(Math.ceil(wait / 1000)) });
  }
  return { db, config, ip, now, cookie, actor, bearerRefused };
}

/** A refusal before any input is read: no credential, unknown route or method, or a scope that does not allow it. */
function checkPermission(call: Call, caller: Caller): Response | null {
  const { request, binding, spec, allow } = call;
  const isPublic = spec?.permission === "public";
  if (!isPublic && !caller.actor) return unauthenticatedResponse(request.headers, caller.bearerRefused);
  if (allow === null) return fail(AUTH_MSG.notFound, 404);
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { Allow: allow } });
  if (!binding) return fail(AUTH_MSG.methodNotAllowed, 405, { Allow: allow });
  const actor = caller.actor;
  const entry: RouteSpec = routes[binding.key];
  if (actor?.kind === "token" && entry.permission !== "public" && !scopeAllows(actor.scope, entry.permission, request.method)) {
    noteAggregated(
      caller.db,
      {
        key: `scope.denied|${actor.tokenId}|${request.method} ${entry.path}|${caller.ip}|${minuteBucket(caller.now)}`,
        action: "scope.denied",
        outcome: "denied",
        actor: auditActorOf(actor),
        ip: caller.ip,
        target: { type: "route", name: `${request.method} ${entry.path}` },
        detail: { scope: actor.scope },
      },
      caller.now,
    );
    return fail(AUTH_MSG.scopeDenied, 403, { [ACCEPTED_SCOPES_HEADER]: acceptedScopes(entry) });
  }
  // What a token actually uses, for its least-privilege report (in memory; written once a minute).
  if (actor?.kind === "token" && entry.permission !== "public") noteTokenUsage(caller.db, actor.tokenId, request.method, entry.path, caller.now);
  return null;
}

/** The body, or the error reading it raised: CSRF is checked first, and may come from the header alone. */
async function readBodyOrError(request: Request): Promise<DecodedBody | Error> {
  try {
    return await readBody(request);
  } catch (error) {
    return error as Error;
  }
}

/**
 * The CSRF token, from `X-CSRF-Token` or a form's `_csrf` field (3x-ui reads
 * both), must be the one derived from this browser's cookie. A request
 * authenticated by a bearer token needs none: a page on another site can make
 * a browser send its cookie, never an Authorization header.
 */
function checkCsrf(spec: RouteSpec, request: Request, caller: Caller, body: DecodedBody | Error | undefined): Response | null {
  const rule = spec.csrf ?? "session";
  if (rule === "never" || caller.actor?.kind === "token") return null;
  if (rule === "session" && (caller.actor?.kind !== "session" || !UNSAFE_METHODS.has(request.method))) return null;
  // A script that meant its token to stand in for the CSRF token learns that the token is the problem.
  if (caller.bearerRefused) return unauthenticatedResponse(request.headers, true);
  const presented = request.headers.get("x-csrf-token") || (body && !(body instanceof Error) ? textField(body, "_csrf") : undefined);
  if (!caller.cookie || !isValidCsrfToken(caller.cookie.csrfKey, presented)) return fail(AUTH_MSG.csrf, 403);
  return null;
}

async function parseInput(
  call: Call,
  spec: RouteSpec,
  body: DecodedBody | Error | undefined,
): Promise<{ params?: unknown; query?: unknown; body?: unknown }> {
  const params = spec.params ? spec.params.parse(await call.context.params) : undefined;
  const query = spec.query ? spec.query.parse(Object.fromEntries(new URL(call.request.url).searchParams)) : undefined;
  if (body instanceof Error) throw body;
  return { params, query, body: spec.body && body ? spec.body.parse(bodyFields(body, spec.body)) : undefined };
}

/**
 * The envelope around the handler's result, passed through the endpoint's
 * response schema (the allow-list: unknown fields are dropped), or the raw
 * document for endpoints that answer outside the envelope.
 */
function shapeResponse(key: RouteKey, spec: RouteSpec, result: unknown): Response {
  if (result instanceof Streamed) {
    if (!spec.streamed) {
      void result.body.cancel();
      throw new Error(`${key}: streamed answer from an endpoint not marked streamed`);
    }
    return new Response(result.body, { status: spec.successStatus ?? 200, headers: { ...JSON_HEADERS, ...result.headers } });
  }
  const reply = result instanceof Reply ? result : new Reply(result);
  const schema = spec.rawResponse ?? spec.response;
  const shape = (): unknown => {
    if (!schema) return null;
    const shaped = schema.safeParse(reply.obj);
    // A handler returning the wrong shape is our bug, not the caller's: 500, not a validation message.
    if (!shaped.success) throw new Error(`${key}: response does not match its schema`);
    return shaped.data;
  };
  const status = spec.successStatus ?? 200;
  if (spec.rawResponse) return jsonResponse(shape(), status, reply.headers);
  if (!schema || reply.msg) return ok(shape(), reply.msg, reply.headers, status);
  return jsonTextResponse(shapedOnce(schema, reply.obj, () => envelopeText(true, "", shape())), status, reply.headers);
}

