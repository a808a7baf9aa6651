import { existsSync } from "node:fs";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { endpoints, type EndpointKey } from "@/lib/api/catalog";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { publicEndpoints } from "@/lib/api/public-catalog";
import { API_ROUTE, ROUTE_METHODS } from "@/lib/api/route";
import { loginBody } from "@/lib/auth/login";
import { createTokenBody } from "@/lib/tokens/schemas";
import { TEST_EVENT, WEBHOOK_EVENTS } from "@/lib/webhooks/events";
import { eventPayload } from "@/lib/webhooks/payload";
import { apiRouteFiles } from "../support/routes";
import { ROOT } from "../support/server";

/* eslint-disable @typescript-eslint/no-explicit-any -- the document is plain JSON, walked field by field */
const doc = buildOpenApiDocument() as any;
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function operations(): { path: string; method: string; op: any }[] {
  return Object.entries(doc.paths as Record<string, any>).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([m]) => HTTP_METHODS.includes(m))
      .map(([method, op]) => ({ path: p, method, op })),
  );
}

/** Every JSON Schema in the document (request bodies, parameters, responses). */
function schemas(): { where: string; schema: object }[] {
  const out: { where: string; schema: object }[] = [];
  for (const { path: p, method, op } of operations()) {
    for (const param of op.parameters ?? []) out.push({ where: `${method} ${p} param ${param.name}`, schema: param.schema });
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
      out.push({ where: `${method} ${p} body ${type}`, schema: (media as any).schema });
    }
    for (const [status, res] of Object.entries(op.responses as Record<string, any>)) {
      for (const media of Object.values(res.content ?? {})) out.push({ where: `${method} ${p} ${status}`, schema: (media as any).schema });
    }
  }
  return out;
}

const withoutDialect = (s: object) => {
  const { $schema: _, ...rest } = s as Record<string, unknown>;
  return rest;
};

describe("OpenAPI document", () => {
  it("validates as OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("describes every route file under app/panel/api, with the methods it binds, and nothing else there", async () => {
    const described = new Set(operations().filter((o) => o.path.startsWith("/panel/api/")).map((o) => `${o.method} ${o.path}`));
    const bound = new Set<string>();
    const files = apiRouteFiles().filter((f) => !f.catchAll);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const mod = (await import(f.file)) as Record<string, { [API_ROUTE]: EndpointKey | null }>;
      const keys = ROUTE_METHODS.filter((m) => m !== "HEAD" && mod[m]![API_ROUTE]).map((m) => [m, mod[m]![API_ROUTE]!] as const);
      expect(keys.length, `${f.pattern} binds no endpoint`).toBeGreaterThan(0);
      for (const [method, key] of keys) {
        const op = doc.paths[f.pattern]?.[method.toLowerCase()];
        expect(op, `${method} ${f.pattern} is not in the document`).toBeDefined();
        expect(op.operationId).toBe(key);
        bound.add(`${method.toLowerCase()} ${f.pattern}`);
      }
    }
    expect([...described].sort()).toEqual([...bound].sort());
  });

  it("describes /login, /logout, /csrf-token, /getTwoFactorEnable, /healthz and /api/credentials/revoke, whose handlers exist", () => {
    const files: Record<string, string> = {
      "/login": "app/auth/login/route.ts", // scripts/server.mts routes POST /login there
      "/login/passkey": "app/login/passkey/route.ts",
      "/login/passkey/options": "app/login/passkey/options/route.ts",
      "/logout": "app/logout/route.ts",
      "/csrf-token": "app/csrf-token/route.ts",
      "/getTwoFactorEnable": "app/getTwoFactorEnable/route.ts",
      "/healthz": "app/healthz/route.ts",
      "/api/credentials/revoke": "app/api/credentials/revoke/route.ts",
    };
    for (const spec of Object.values(publicEndpoints)) {
      expect(doc.paths[spec.path]?.[spec.method.toLowerCase()], spec.path).toBeDefined();
      expect(existsSync(path.join(ROOT, files[spec.path]!)), files[spec.path]).toBe(true);
    }
    expect(Object.values(publicEndpoints).map((s) => s.path).sort()).toEqual(Object.keys(files).sort());
  });

  it("takes request schemas from the zod schemas that validate the requests", () => {
    const input = (s: z.ZodType) => withoutDialect(z.toJSONSchema(s, { io: "input" }));
    expect(doc.paths["/panel/api/setting/apiTokens/create"].post.requestBody.content["application/json"].schema).toEqual(input(createTokenBody));
    const login = doc.paths["/login"].post.requestBody;
    expect(login.content["application/json"].schema).toEqual(input(loginBody));
    expect(login.content["application/x-www-form-urlencoded"].schema).toEqual(input(loginBody));
    expect(login.content["multipart/form-data"].schema).toEqual(input(loginBody));
    expect(login.required).toBe(true);
  });

  it("has bearer and cookie security schemes; every /panel/api operation needs one and documents 401, 403 and 404", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: "apiKey", in: "cookie", name: "3x-ui" });
    for (const { path: p, op } of operations().filter((o) => o.path.startsWith("/panel/api/"))) {
      expect(op.security, p).toContainEqual({ bearerAuth: [] });
      expect(op.security.some((s: object) => "sessionCookie" in s), p).toBe(true);
      expect(Object.keys(op.responses), p).toEqual(expect.arrayContaining(["200", "401", "403", "404"]));
    }
    expect(doc.paths["/healthz"].get.security).toEqual([{}]);
  });

  it("describes {id} path parameters", () => {
    for (const p of ["/panel/api/setting/apiTokens/delete/{id}", "/panel/api/setting/apiTokens/setEnabled/{id}"]) {
      expect(doc.paths[p].post.parameters).toEqual([
        expect.objectContaining({ name: "id", in: "path", required: true, schema: expect.objectContaining({ type: "string" }) }),
      ]);
    }
  });

  it("holds only valid JSON Schema 2020-12 schemas", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const all = schemas();
    expect(all.length).toBeGreaterThan(20);
    for (const { where, schema } of all) expect(() => ajv.compile(schema), where).not.toThrow();
  });

  it("describes what every webhook event sends: the signature header and a body real payloads match", () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENTS, TEST_EVENT].sort());
    const op = doc.webhooks["token.created"].post;
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(["X-Xui-Event", "X-Xui-Delivery", "X-Xui-Signature"]);
    const validate = new Ajv2020({ strict: false }).compile(op.requestBody.content["application/json"].schema);
    const row = { id: 7, at: 1_800_000_000_000, action: "token.create", outcome: "success", actorType: "session", actorId: 1, actorName: "admin", ip: "203.0.113.7", targetType: "token", targetId: 3, targetName: "grafana", detail: '{"scope":"monitor"}', count: 1, aggKey: null } as const;
    expect(validate(JSON.parse(eventPayload("token.created", row, "guid"))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...JSON.parse(eventPayload("token.created", row, "guid")), event: "token.stolen" })).toBe(false);
  });

  it("response schemas are the allow-lists: a leaked hash or a missing field fails validation", () => {
    const ajv = new Ajv2020({ strict: true });
    const list = ajv.compile(doc.paths["/panel/api/setting/apiTokens"].get.responses["200"].content["application/json"].schema);
    const view = {
      id: 1,
      name: "a",
      description: "",
      enabled: true,
      createdAt: 1,
      scope: "admin",
      expiresAt: 0,
      prefix: "xui_abcd",
      expiresSoon: false,
      expired: false,
      lastUsedAt: 0,
      lastUsedIp: "",
      allowedIps: [],
      rateLimitPerMinute: 0,
      graceUntil: 0,
      canary: false,
      reuseDetectedAt: 0,
      policyViolations: [],
    };
    expect(list({ success: true, msg: "", obj: [view] })).toBe(true);
    expect(list({ success: true, msg: "", obj: { items: [view], total: 1, nextCursor: null, prevCursor: null } })).toBe(true);
    // The list's bad parameters answer 400, not the peer's 200 + success:false.
    expect(list({ success: false, msg: "invalid cursor", obj: null })).toBe(false);
    const refused = ajv.compile(doc.paths["/panel/api/setting/apiTokens"].get.responses["400"].content["application/json"].schema);
    expect(refused({ success: false, msg: "invalid cursor", obj: null })).toBe(true);
    // The envelope always has all three keys, as 3x-ui's entity.Msg.
    expect(list({ success: true, obj: [view] })).toBe(false);
    expect(refused({ success: false, msg: "invalid cursor" })).toBe(false);
    expect(list({ success: true, msg: "", obj: [{ ...view, tokenHash: "ab" }] })).toBe(false);
    const { prefix: _, ...withoutPrefix } = view;
    expect(list({ success: true, msg: "", obj: [withoutPrefix] })).toBe(false);
    expect(list({ success: true, msg: "", obj: [{ ...view, scope: "root" }] })).toBe(false);
  });

  it("lists each catalog endpoint once, under its own path and method", () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [key, spec] of Object.entries(endpoints)) {
      expect(doc.paths[spec.path][spec.method.toLowerCase()].operationId).toBe(key);
    }
  });
});
