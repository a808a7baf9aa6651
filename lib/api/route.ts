import type { z } from "zod";
import { initDatabase, readyDatabase } from "@/db";
import type { Db } from "@/db/client";
import { minuteBucket, noteAggregated } from "@/lib/audit/aggregate";
import { auditActorOf, type AuditContext } from "@/lib/audit/context";
import { bearerBlockedFor, recordBearerFailure } from "@/lib/auth/bearer-throttle";
import { authenticate, presentedBearer, type Actor } from "@/lib/auth/request-auth";
import { scopeAllows } from "@/lib/auth/permissions";
import { isValidCsrfToken } from "@/lib/auth/secrets";
import { serverConfig } from "@/lib/config";
import { readJsonObject } from "@/lib/http/body";
import { clientIp } from "@/lib/http/client-ip";
import { fail, jsonTextResponse, ok, okText } from "@/lib/http/envelope";
import { readCookie, SESSION_COOKIE } from "@/lib/http/session-cookie";
import { finishRequestLog, loggedActor, startRequestLog, type RequestLogEntry } from "./access-log";
import { endpoints, type Endpoint, type EndpointKey, type HttpMethod } from "./catalog";
import { AUTH_MSG, errorResponse, unauthenticatedResponse } from "./respond";

type BodyOf<S> = S extends { body: z.ZodType } ? z.output<S["body"]> : undefined;
type ParamsOf<S> = S extends { params: z.ZodType } ? z.output<S["params"]> : undefined;
type QueryOf<S> = S extends { query: z.ZodType } ? z.output<S["query"]> : undefined;
/** What a handler returns: the `obj` before the allow-list parse, or a ready Response. */
type ResultOf<S> = (S extends { response: z.ZodType } ? z.input<S["response"]> : void) | Response;

export interface HandlerContext<K extends EndpointKey> {
  db: Db;
  actor: Actor;
  /** The actor and IP, for the audit rows a change writes. */
  audit: AuditContext;
  body: BodyOf<Endpoint<K>>;
  params: ParamsOf<Endpoint<K>>;
  query: QueryOf<Endpoint<K>>;
  /** The caller's address (socket, or X-Forwarded-For behind TRUST_PROXY). */
  ip: string;
  request: Request;
  /** One clock reading per request. */
  now: number;
}

export interface BoundEndpoint {
  key: EndpointKey;
  run(ctx: HandlerContext<EndpointKey>): unknown;
}

/** Binds a handler to its catalog entry; the types of body, params and result follow from the entry. */
export function endpoint<K extends EndpointKey>(
  key: K,
  handler: (ctx: HandlerContext<K>) => Promise<ResultOf<Endpoint<K>>> | ResultOf<Endpoint<K>>,
): BoundEndpoint {
  return { key, run: (ctx) => handler(ctx as unknown as HandlerContext<K>) };
}

/** Marks handlers made by apiRoute() (and which endpoint each serves), so a test can prove every route uses it. */
export const API_ROUTE = Symbol.for("xui-panel.api-route");

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type RouteHandler = (request: Request, context: NextRouteContext) => Response | Promise<Response>;
export const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type RouteExports = Record<(typeof ROUTE_METHODS)[number], RouteHandler>;
const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The only way to write a `/panel/api` route. It exports a handler for every
 * HTTP method, so nothing falls through to Next's defaults, and each of them:
 *  1. authenticates (bearer token, else session cookie) — 401/404 if neither;
 *  2. checks the token's scope against the endpoint's permission — 403;
 *  3. requires the CSRF header on unsafe session requests — 403;
 *  4. parses path params and the JSON body with the endpoint's zod schemas;
 *  5. runs the handler and wraps its result in the envelope through the
 *     response allow-list; every error is mapped in errorResponse();
 *  6. answers with an `X-Request-Id` and writes one log line (access-log.ts).
 * Methods without a binding answer 405 — but only after authentication, so an
 * anonymous caller cannot probe which routes exist.
 */
export function apiRoute(bindings: Partial<Record<HttpMethod, BoundEndpoint>>): RouteExports {
  for (const [method, binding] of Object.entries(bindings)) {
    if (binding && endpoints[binding.key].method !== method) {
      throw new Error(`${binding.key} is a ${endpoints[binding.key].method} endpoint, bound to ${method}`);
    }
  }
  // No bindings at all: the catch-all for unknown paths, which answers 404 once authenticated.
  const first = Object.values(bindings)[0];
  const allow =
    first === undefined ? null : [...Object.keys(bindings), ...(bindings.GET ? ["HEAD"] : []), "OPTIONS"].join(", ");
  // Logged instead of the URL: a fixed set of values, and no path a client typed (it may hold anything).
  const route = first ? endpoints[first.key].path : CATCH_ALL_ROUTE;
  const exports = {} as RouteExports;
  for (const method of ROUTE_METHODS) {
    const binding = method === "HEAD" ? bindings.GET : method === "OPTIONS" ? undefined : bindings[method];
    exports[method] = Object.assign(
      (request: Request, context: NextRouteContext): Response | Promise<Response> => {
        const log = startRequestLog(request, route);
        // Every error is mapped in errorResponse(), thrown now or in a later step.
        let response: Response | PromiseLike<Response>;
        try {
          response = handle({ request, context, binding, allow, log });
        } catch (error) {
          return finishRequestLog(log, failure(error, request, log));
        }
        // Next awaits what a route returns; a Response answered synchronously needs no promise.
        if (!isPromiseLike(response)) return finishRequestLog(log, response);
        return Promise.resolve(response).then(
          (r) => finishRequestLog(log, r),
          (error: unknown) => finishRequestLog(log, failure(error, request, log)),
        );
      },
      { [API_ROUTE]: binding?.key ?? null },
    );
  }
  return exports;
}

/**
 * Frozen results already shaped and serialized (the server-status snapshot,
 * which answers every request for 2 s): a frozen object cannot change, so
 * neither can its allow-listed copy or that copy's JSON. Weak keys: a replaced
 * snapshot is simply collected.
 */
const frozenBodies = new WeakMap<z.ZodType, WeakMap<object, string>>();

/**
 * The success envelope's JSON around the handler's result, passed through the
 * endpoint's response schema (the allow-list: unknown fields are dropped).
 * Exported for its unit test.
 */
export function shapedBody(key: EndpointKey, schema: z.ZodType, result: unknown): string {
  // Keyed by schema too: another endpoint's schema may allow fewer fields of the same object.
  let cache: WeakMap<object, string> | undefined;
  if (typeof result === "object" && result !== null && Object.isFrozen(result)) {
    cache = frozenBodies.get(schema);
    if (!cache) frozenBodies.set(schema, (cache = new WeakMap()));
    const cached = cache.get(result);
    if (cached !== undefined) return cached;
  }
  const shaped = schema.safeParse(result);
  // A handler returning the wrong shape is our bug, not the caller's: 500, not a validation message.
  if (!shaped.success) throw new Error(`${key}: response does not match its schema`);
  const body = okText(shaped.data);
  cache?.set(result as object, body);
  return body;
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function failure(error: unknown, request: Request, log: RequestLogEntry): Response {
  return errorResponse(error, { method: request.method, route: log.route, requestId: log.requestId });
}

/** `next(value)` now when `value` is ready, else once it is; a rejection passes through. */
function then<T, R>(value: T | PromiseLike<T>, next: (value: T) => R | PromiseLike<R>): R | PromiseLike<R> {
  return isPromiseLike(value) ? value.then(next) : next(value);
}

/** The route pattern logged for `/panel/api` paths that match no endpoint. */
export const CATCH_ALL_ROUTE = "/panel/api/{rest*}";

/** What one request to one route needs to know; built once per call of the exported handler. */
interface Call {
  request: Request;
  context: NextRouteContext;
  binding: BoundEndpoint | undefined;
  allow: string | null;
  log: RequestLogEntry;
}

/**
 * Runs apiRoute's steps (see there). Each step that may answer synchronously
 * (the database already open, a cached token, a handler returning a snapshot)
 * is continued synchronously, and only a step that really waits makes a
 * promise: inside Next.js every promise and every async function pays for the
 * async-context hooks, on every bot request (bench/README.md). A throw, now
 * or in a later step, reaches the caller's error mapping either way.
 */
function handle(call: Call): Response | PromiseLike<Response> {
  const db = readyDatabase()?.db;
  if (!db) return initDatabase().then(() => handle(call));
  const { request, log } = call;
  const config = serverConfig();
  const headers = request.headers;
  const ip = clientIp(headers, config.trustProxyHops);
  log.ip = ip;
  const now = Date.now();

  const presented = presentedBearer(headers);
  const bearer = presented !== null;
  if (bearer) {
    const wait = bearerBlockedFor(ip, now);
    if (wait > 0) return fail(AUTH_MSG.bearerThrottled, 429, { "Retry-After": String(Math.ceil(wait / 1000)) });
  }

  return then(authenticate(db, headers, config, ip, now, presented), (actor) => {
    if (!actor) {
      if (bearer) recordBearerFailure(db, ip, now, config.bearerMaxFailuresPerMinute);
      return unauthenticatedResponse(headers, bearer);
    }
    log.actor = loggedActor(actor);
    return authorized(call, db, actor, ip, now);
  });
}

type Spec = Endpoint<EndpointKey> & { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType; response?: z.ZodType };

/** After authentication: routing, scope, CSRF, input, the handler and its answer. */
function authorized(call: Call, db: Db, actor: Actor, ip: string, now: number): Response | PromiseLike<Response> {
  const { request, binding, allow } = call;
  if (allow === null) return fail(AUTH_MSG.notFound, 404);
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { Allow: allow } });
  if (!binding) return fail(AUTH_MSG.methodNotAllowed, 405, { Allow: allow });
  const spec: Spec = endpoints[binding.key];

  if (actor.kind === "token" && !scopeAllows(actor.scope, spec.permission, request.method)) {
    noteAggregated(
      db,
      {
        key: `scope.denied|${actor.tokenId}|${request.method} ${spec.path}|${ip}|${minuteBucket(now)}`,
        action: "scope.denied",
        outcome: "denied",
        actor: auditActorOf(actor),
        ip,
        target: { type: "route", name: `${request.method} ${spec.path}` },
        detail: { scope: actor.scope },
      },
      now,
    );
    return fail(AUTH_MSG.scopeDenied, 403);
  }
  const headers = request.headers;
  if (
    actor.kind === "session" &&
    UNSAFE_METHODS.has(request.method) &&
    !isValidCsrfToken(readCookie(headers, SESSION_COOKIE)!, headers.get("x-csrf-token"))
  ) {
    return fail(AUTH_MSG.csrf, 403);
  }

  const query = spec.query ? spec.query.parse(Object.fromEntries(new URL(request.url).searchParams)) : undefined;
  const run = (input: { params?: unknown; body?: unknown }) =>
    then(
      binding.run({
        db,
        actor,
        audit: { actor: auditActorOf(actor), ip },
        body: input.body as never,
        params: input.params as never,
        query: query as never,
        ip,
        request,
        now,
      }),
      // Any thenable (a Drizzle query returned as is, say) is awaited, as Promise.resolve() would.
      (result) => respond(binding.key, spec, result),
    );
  // Path params arrive as a promise and a body as a stream: only endpoints that have them wait.
  if (!spec.params && !spec.body) return run({});
  return readInput(call, spec).then(run);
}

async function readInput(call: Call, spec: Spec): Promise<{ params?: unknown; body?: unknown }> {
  const params = spec.params ? spec.params.parse(await call.context.params) : undefined;
  const body = spec.body ? spec.body.parse(await readJsonObject(call.request)) : undefined;
  return { params, body };
}

function respond(key: EndpointKey, spec: Spec, result: unknown): Response {
  if (result instanceof Response) return result;
  if (!spec.response) return ok();
  return jsonTextResponse(shapedBody(key, spec.response, result));
}
