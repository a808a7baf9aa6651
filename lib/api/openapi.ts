import { z } from "zod";
import { TOKEN_SCOPES } from "@/db/schema/api-tokens";
import { scopeAllows } from "@/lib/auth/permissions";
import { MAX_BODY_BYTES } from "@/lib/http/body";
import { failureEnvelope, successEnvelope } from "@/lib/http/envelope";
import { SESSION_COOKIE } from "@/lib/http/session-cookie";
import packageJson from "@/package.json";
import { REQUEST_ID_HEADER } from "@/lib/http/edge";
import { endpoints, type EndpointKey, type EndpointSpec, type RouteSpec } from "./catalog";
import { publicEndpoints } from "./public-catalog";
import { ACCEPTED_SCOPES_HEADER, AUTH_MSG, TOKEN_EXPIRES_HEADER } from "./respond";
import { EVENT_LABELS, TEST_EVENT, WEBHOOK_EVENTS } from "@/lib/webhooks/events";
import { webhookPayload } from "@/lib/webhooks/schemas";
import { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_S } from "@/lib/webhooks/signature";

/**
 * The OpenAPI 3.1 description of the panel, built from the catalogs
 * (lib/api/catalog.ts, lib/api/public-catalog.ts) and the very zod schemas the
 * routes validate requests with and shape responses through, so it cannot
 * drift from what the server does. OpenAPI 3.1 schemas are JSON Schema 2020-12,
 * which is what `z.toJSONSchema()` emits.
 */

type Json = Record<string, unknown>;

/**
 * Request schemas are described as callers send them (`io: "input"`: before
 * transforms and defaults), responses as the server emits them (`"output"`).
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12" }) as Json;
  return rest;
}

const TAGS: Record<string, string> = {
  tokens: "API tokens",
  policy: "Token policy",
  webhooks: "Webhooks",
  server: "Server",
  admin: "Admin",
  meta: "Meta",
  auth: "Session",
  sessions: "Session",
  health: "Meta",
  audit: "Audit log",
  credentials: "Leaked credentials",
  passkeys: "Passkeys",
  twoFactor: "Two-factor sign-in",
};

const SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    description: "An API token (`xui_…`, or a token imported from 3x-ui). No CSRF header needed.",
  },
  sessionCookie: {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description: "Browser session from POST /login (HttpOnly, SameSite=Lax).",
  },
  csrfHeader: {
    type: "apiKey",
    in: "header",
    name: "X-CSRF-Token",
    description: "From GET /csrf-token; required with the session cookie on unsafe methods.",
  },
} as const;

const requestIdHeader = {
  [REQUEST_ID_HEADER]: {
    description: "The request id in the log line of this request (the caller's own X-Request-Id when it sent a sane one).",
    schema: { type: "string" },
  },
};

function envelopeResponse(description: string, schema: z.ZodType, headers: Json = {}): Json {
  return {
    description,
    headers: { ...requestIdHeader, ...headers },
    content: { "application/json": { schema: jsonSchema(schema, "output") } },
  };
}

const failure = (description: string, headers: Json = {}) => envelopeResponse(description, failureEnvelope, headers);
const setCookie = { "Set-Cookie": { description: `The \`${SESSION_COOKIE}\` session cookie.`, schema: { type: "string" } } };

/** 200 answers: a success (with `obj` when the endpoint has one) or a domain failure, both with HTTP 200. */
function okResponses(spec: RouteSpec, headers: Json = {}): Json {
  if (spec.rawResponse) {
    return {
      "200": {
        description: "The document itself (no envelope).",
        headers: { ...requestIdHeader, ...headers },
        content: { "application/json": { schema: jsonSchema(spec.rawResponse, "output") } },
      },
    };
  }
  const ok =
    spec.successStatus || spec.badRequestStatus
      ? envelopeResponse(
          spec.successStatus === 202 ? "Accepted: the same answer whatever matched." : "`success:true`, with `obj` where the endpoint returns one.",
          successEnvelope(spec.response),
          headers,
        )
      : envelopeResponse(
          "The envelope: `success:true` (with `obj` where the endpoint returns one), or `success:false` and a human-readable `msg` for validation and domain errors (still HTTP 200, as 3x-ui clients expect).",
          z.union([successEnvelope(spec.response), failureEnvelope]),
          headers,
        );
  return {
    [String(spec.successStatus ?? 200)]: spec.downloads ? withDownloads(ok, spec.downloads) : ok,
    ...(spec.badRequestStatus ? { "400": failure("A parameter or field is not valid: `msg` says which and why.") } : {}),
    ...(spec.badRequestFields
      ? {
          "400": failure(
            `A bad value of ${spec.badRequestFields.map((f) => `\`${f}\``).join(", ")} (this panel's additions; other fields keep the peer's HTTP 200), or a refusal the summary names.`,
          ),
        }
      : {}),
  };
}

/** The same 200 may instead be a download (outside the envelope): its media types join the envelope's. */
function withDownloads(ok: Json, downloads: Record<string, z.ZodType>): Json {
  const content = { ...(ok.content as Record<string, { schema: Json }>) };
  for (const [mediaType, schema] of Object.entries(downloads)) {
    const document = jsonSchema(schema, "output");
    content[mediaType] = { schema: content[mediaType] ? { anyOf: [content[mediaType].schema, document] } : document };
  }
  return {
    ...ok,
    description: `${ok.description as string} Or, when the query asks for a download, the file itself (no envelope).`,
    headers: {
      ...(ok.headers as Json),
      "Content-Disposition": { description: "On downloads: `attachment; filename=\"…\"`.", schema: { type: "string" } },
    },
    content,
  };
}

/** Every body may come as JSON or as a form (booleans `true`/`false`, numbers as decimal strings, lists repeated or comma-separated). */
function requestBody(schema: z.ZodType): Json {
  const body = jsonSchema(schema, "input");
  const content: Json = {
    "application/json": { schema: body },
    "application/x-www-form-urlencoded": { schema: body },
    "multipart/form-data": { schema: body },
  };
  return {
    // An empty body counts as `{}`, so it is optional unless the schema requires a field.
    required: Array.isArray(body.required) && body.required.length > 0,
    content,
  };
}

/** `{id}` and `?limit=`: one parameter per property of the endpoint's params or query schema. */
function parameters(schema: z.ZodType, where: "path" | "query"): Json[] {
  const params = jsonSchema(schema, "input") as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(params.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    const required = where === "path" || (params.required ?? []).includes(name);
    return { name, in: where, required, ...(description ? { description } : {}), schema: propertySchema };
  });
}

const tooLarge = () => failure(`Body larger than ${MAX_BODY_BYTES / 1024} KiB.`);
const throttledResponse = () =>
  failure("Too many attempts from this IP (failed password checks per IP or IP + username, failed bearer tokens, revocation reports); wait and retry.", {
    "Retry-After": { description: "Seconds until the next attempt is counted.", schema: { type: "integer" } },
  });

/** What every operation has: id, tag, summary, the request body and the 413/429 answers that come with one. */
function operation(
  key: string,
  spec: { summary: string; body?: z.ZodType; throttled?: boolean },
  responses: Json,
  extra: Json,
): Json {
  if (spec.body) responses["413"] = tooLarge();
  if (spec.throttled) responses["429"] = throttledResponse();
  return {
    operationId: key,
    tags: [TAGS[key.split(".")[0]!]],
    summary: spec.summary,
    ...extra,
    ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
    responses,
  };
}

const tokenExpiresHeader = {
  [TOKEN_EXPIRES_HEADER]: {
    description: "On every answer to a bearer token that expires: when (Unix ms). Absent for a token that never expires and for sessions.",
    schema: { type: "integer" },
  },
};

function apiOperation(key: EndpointKey, spec: EndpointSpec): Json {
  const unsafe = spec.method !== "GET";
  const scopes = TOKEN_SCOPES.filter((scope) => scopeAllows(scope, spec.permission, spec.method));
  const responses: Json = {
    ...okResponses(spec, tokenExpiresHeader),
    "401": failure(
      `\`${AUTH_MSG.unauthorized}\`: no valid credential, and the request carried \`Authorization: Bearer …\` or \`X-Requested-With: XMLHttpRequest\`.`,
      { "WWW-Authenticate": { schema: { type: "string" } } },
    ),
    "403": failure(
      `\`${AUTH_MSG.scopeDenied}\` (the token's scope does not allow this route)${unsafe ? `, or \`${AUTH_MSG.csrf}\` (session request without a valid X-CSRF-Token)` : ""}.`,
      {
        ...tokenExpiresHeader,
        [ACCEPTED_SCOPES_HEADER]: {
          description: "On a scope denial: the token scopes that would be allowed, comma-separated (here: " + scopes.join(", ") + ").",
          schema: { type: "string" },
        },
      },
    ),
    "404": failure("No valid credential and no bearer/XHR header: the panel hides from scanners."),
    "429": throttledResponse(),
  };
  return operation(key, spec, responses, {
    description: `Token scopes allowed: ${scopes.map((s) => `\`${s}\``).join(", ")}. A browser session may call it too.`,
    "x-permission": spec.permission,
    "x-token-scopes": scopes,
    security: [{ bearerAuth: [] }, unsafe ? { sessionCookie: [], csrfHeader: [] } : { sessionCookie: [] }],
    ...(spec.params || spec.query
      ? { parameters: [...(spec.params ? parameters(spec.params, "path") : []), ...(spec.query ? parameters(spec.query, "query") : [])] }
      : {}),
  });
}

function publicOperation(key: string, spec: RouteSpec): Json {
  const responses: Json = okResponses(spec, spec.setsCookie ? setCookie : {});
  const csrf = spec.csrf === "always";
  if (csrf) responses["403"] = failure(`\`${AUTH_MSG.csrf}\`.`);
  return operation(key, spec, responses, {
    // `{}`: no credential needed. CSRF routes need the browser cookie and its token, or a bearer token instead.
    security: csrf ? [{ sessionCookie: [], csrfHeader: [] }, { bearerAuth: [] }] : [{}],
  });
}

function addOperation(paths: Record<string, Json>, path: string, method: string, operation: Json): void {
  const item = (paths[path] ??= {});
  item[method.toLowerCase()] = operation;
}

/** What the panel sends to a webhook's URL, one entry per event (OpenAPI 3.1 `webhooks`). */
function outgoingWebhooks(): Json {
  const header = (name: string, description: string) => ({ name, in: "header", required: true, description, schema: { type: "string" } });
  const parameters = [
    header("X-Xui-Event", "The event, as in the body"),
    header("X-Xui-Delivery", "The delivery's id: the same on every retry of it"),
    header(
      SIGNATURE_HEADER,
      `\`t=<Unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>\`, keyed with the webhook's signing secret. Compare in constant time; refuse a \`t\` more than ${SIGNATURE_TOLERANCE_S} s old.`,
    ),
  ];
  const body = jsonSchema(webhookPayload, "output");
  const entries = [...WEBHOOK_EVENTS.map((e) => [e, EVENT_LABELS[e]] as const), [TEST_EVENT, "Sent by the test button"] as const];
  return Object.fromEntries(
    entries.map(([event, label]) => [
      event,
      {
        post: {
          operationId: `webhook ${event}`,
          tags: [TAGS.webhooks],
          summary: label,
          parameters,
          requestBody: { required: true, content: { "application/json": { schema: body } } },
          responses: {
            "2XX": { description: "Delivered. Any other answer (redirects too), a timeout of 10 s or a refused connection is tried again with backoff, 8 attempts in all." },
          },
        },
      },
    ]),
  );
}

export function buildOpenApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const [key, spec] of Object.entries(publicEndpoints)) {
    addOperation(paths, spec.path, spec.method, publicOperation(key, spec));
  }
  for (const [key, spec] of Object.entries(endpoints) as [EndpointKey, EndpointSpec][]) {
    addOperation(paths, spec.path, spec.method, apiOperation(key, spec));
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "xui-panel API",
      version: packageJson.version,
      description:
        "Admin API of xui-panel, compatible with 3x-ui clients. Every JSON answer under /panel/api, /login, /logout, /csrf-token and /getTwoFactorEnable is the envelope `{success, msg, obj}` (all three keys, always). Authenticate with `Authorization: Bearer <token>` or a browser session (cookie + X-CSRF-Token on unsafe methods).",
      license: { name: packageJson.license, identifier: packageJson.license },
    },
    tags: [...new Set(Object.values(TAGS))].map((name) => ({ name })),
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    webhooks: outgoingWebhooks(),
    components: { securitySchemes: SECURITY_SCHEMES },
  };
}

let cached: Json | undefined;
/** The document never changes while the process runs. */
export function openApiDocument(): Json {
  cached ??= buildOpenApiDocument();
  return cached;
}
