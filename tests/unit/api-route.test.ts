import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { initDatabase } from "@/db";
import { apiRoute, endpoint, shapedBody } from "@/lib/api/route";
import { systemContext } from "@/lib/audit/context";
import { DomainError } from "@/lib/errors";
import { SOCKET_ADDRESS_HEADER } from "@/lib/http/client-ip";
import { createToken } from "@/lib/tokens/service";

describe("shapedBody (response allow-list, serialized once per frozen result)", () => {
  const wide = z.object({ a: z.number(), b: z.string() });
  const narrow = z.object({ a: z.number() });

  it("drops fields the schema does not list, frozen or not", () => {
    const result = { a: 1, b: "x", secret: "never sent" };
    expect(shapedBody("server.status", wide, result)).toBe('{"success":true,"obj":{"a":1,"b":"x"}}');
    expect(shapedBody("server.status", wide, Object.freeze({ ...result }))).toBe('{"success":true,"obj":{"a":1,"b":"x"}}');
  });

  it("parses a frozen result once per schema, and each schema keeps its own allow-list", () => {
    const frozen = Object.freeze({ a: 2, b: "y", secret: "never sent" });
    const parse = vi.spyOn(wide, "safeParse");
    try {
      for (let i = 0; i < 3; i++) expect(shapedBody("server.status", wide, frozen)).toBe('{"success":true,"obj":{"a":2,"b":"y"}}');
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
    expect(shapedBody("server.status", narrow, frozen)).toBe('{"success":true,"obj":{"a":2}}');
  });

  it("parses a mutable result every time, so a change shows in the next answer", () => {
    const result = { a: 3, b: "z" };
    expect(shapedBody("server.status", wide, result)).toBe('{"success":true,"obj":{"a":3,"b":"z"}}');
    result.b = "changed";
    expect(shapedBody("server.status", wide, result)).toBe('{"success":true,"obj":{"a":3,"b":"changed"}}');
  });

  it("refuses a result of the wrong shape (a bug of ours, answered as a 500 by the caller)", () => {
    expect(() => shapedBody("server.status", wide, Object.freeze({ a: "not a number" }))).toThrow("server.status: response does not match its schema");
  });
});

describe("apiRoute (one request through the wrapper, real database)", () => {
  // initDatabase() opens DATABASE_URL; a temp file, set before anything reads the config.
  const dir = mkdtempSync(path.join(os.tmpdir(), "xui-route-"));
  process.env.DATABASE_URL = `file:${path.join(dir, "route.db")}`;
  let token = "";
  const context = { params: Promise.resolve({}) };
  const call = (exports: ReturnType<typeof apiRoute>, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    exports.GET(new Request("http://x/panel/api/server/status", { headers: { [SOCKET_ADDRESS_HEADER]: "127.0.0.1", ...headers } }), context);
  const json = async (r: Response | Promise<Response>) => {
    const response = await r;
    return { status: response.status, id: response.headers.get("x-request-id"), body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    const { db } = await initDatabase();
    token = (await createToken(db, { name: "route-test", scope: "admin", expiresAt: 0, allowedIps: [] }, systemContext())).token;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers a cached token and a synchronous handler without a promise", async () => {
    const status = apiRoute({ GET: endpoint("server.status", () => ({ ...FIXED_STATUS })) });
    await json(call(status)); // the first request loads the token into the verifier's cache
    const answer = call(status);
    expect(answer).toBeInstanceOf(Response);
    expect(await json(answer)).toEqual({ status: 200, id: expect.stringMatching(/^[0-9a-f-]{36}$/), body: { success: true, obj: FIXED_STATUS } });
  });

  it.each([
    ["thrown at once", () => { throw new DomainError("no such thing"); }],
    ["rejected later", async () => { await Promise.resolve(); throw new DomainError("no such thing"); }],
  ])("maps a domain error %s to the 3x-ui failure envelope", async (_, handler) => {
    const route = apiRoute({ GET: endpoint("server.status", handler) });
    expect(await json(call(route))).toMatchObject({ status: 200, body: { success: false, msg: "no such thing" } });
  });

  it.each([
    ["thrown at once", () => { throw new Error("bug"); }],
    ["rejected later", async () => { await Promise.resolve(); throw new Error("bug"); }],
  ])("answers an unexpected error %s with a bare 500 and the request id", async (_, handler) => {
    const route = apiRoute({ GET: endpoint("server.status", handler) });
    const answer = await json(call(route));
    expect(answer).toMatchObject({ status: 500, body: { success: false, msg: "internal server error" } });
    expect(answer.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a request without credentials before the handler runs", async () => {
    let ran = false;
    const route = apiRoute({ GET: endpoint("server.status", () => ((ran = true), FIXED_STATUS)) });
    expect(await json(call(route, { authorization: "Bearer xui_not-a-token" }))).toMatchObject({ status: 401 });
    expect(ran).toBe(false);
  });
});

const FIXED_STATUS = {
  cpu: 1,
  cpuCores: 2,
  mem: { current: 1, total: 2 },
  swap: { current: 0, total: 0 },
  disk: { current: 1, total: 2 },
  load: { load1: 0, load5: 0, load15: 0 },
  uptime: 1,
  appUptime: 1,
  sampledAt: 1,
};
