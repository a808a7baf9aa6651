import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initDatabase } from "@/db";
import { apiRoute, endpoint, Reply } from "@/lib/api/route";
import { systemContext } from "@/lib/audit/context";
import { DomainError } from "@/lib/errors";
import { SOCKET_ADDRESS_HEADER } from "@/lib/http/client-ip";
import type { ServerStatus } from "@/lib/server-status/snapshot";
import { createToken } from "@/lib/tokens/service";

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
    token = (await createToken(db, { name: "route-test", description: "", scope: "admin", expiresAt: 0, allowedIps: [], rateLimitPerMinute: 0, canary: false }, systemContext())).token;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers with the envelope, every key present, the result passed through the response allow-list", async () => {
    const status = apiRoute({ GET: endpoint("server.status", () => ({ ...FIXED_STATUS, secret: "never sent" })) });
    expect(await json(call(status))).toEqual({
      status: 200,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      body: { success: true, msg: "", obj: FIXED_STATUS },
    });
  });

  it("answers a Reply's message and headers", async () => {
    const status = apiRoute({ GET: endpoint("server.status", () => new Reply(FIXED_STATUS, "fine", { "X-Test": "1" })) });
    const response = await call(status);
    expect(response.headers.get("x-test")).toBe("1");
    expect(await response.json()).toEqual({ success: true, msg: "fine", obj: FIXED_STATUS });
  });

  it("refuses a result of the wrong shape with a bare 500 (a bug of ours, not the caller's)", async () => {
    const status = apiRoute({ GET: endpoint("server.status", () => ({ cpu: "not a number" }) as never) });
    expect(await json(call(status))).toMatchObject({ status: 500, body: { success: false, msg: "internal server error", obj: null } });
  });

  it.each([
    ["thrown at once", () => { throw new DomainError("no such thing"); }],
    ["rejected later", async () => { await Promise.resolve(); throw new DomainError("no such thing"); }],
  ])("maps a domain error %s to the 3x-ui failure envelope", async (_, handler) => {
    const route = apiRoute({ GET: endpoint("server.status", handler) });
    expect(await json(call(route))).toMatchObject({ status: 200, body: { success: false, msg: "no such thing", obj: null } });
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

/** A real sample of this machine (lib/server-status/snapshot.ts), as the response schema expects it. */
const FIXED_STATUS = {"cpu": 99.5, "cpuCores": 2, "logicalPro": 2, "cpuSpeedMhz": 2596.096, "mem": {"current": 1345740800, "total": 25276502016}, "swap": {"current": 0, "total": 0}, "disk": {"current": 25017942016, "total": 270553174016}, "diskIO": {"read": 0, "write": 44542}, "diskTraffic": {"read": 1002152960, "write": 2101571584}, "xray": {"state": "stop", "errorMsg": "", "version": ""}, "panelVersion": "0.1.0", "panelGuid": "", "uptime": 452, "loads": [3.54, 1.45, 0.6], "tcpCount": 1, "udpCount": 0, "netIO": {"up": 0, "down": 0, "pktUp": 0, "pktDown": 0}, "netTraffic": {"sent": 1173894, "recv": 545943294, "pktSent": 8121, "pktRecv": 12648}, "publicIP": {"ipv4": "N/A", "ipv6": "N/A"}, "appStats": {"threads": 14, "mem": 110694400, "uptime": 3}, "sampledAt": 1796155554793} as unknown as ServerStatus;
