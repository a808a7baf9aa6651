import { rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { afterAll, describe, expect, inject, it } from "vitest";
import { startPanelServer, type PanelServer } from "../support/server";
import { BrowserSession, bearer, request } from "../support/client";
import { expectSecurityHeaders, SECURITY_HEADERS } from "../support/security-headers";
import packageJson from "@/package.json";

const baseUrl = inject("baseUrl");
const admin = inject("admin");

describe("GET /healthz", () => {
  it("answers 200 {status: ok} without auth", async () => {
    const res = await request(baseUrl, "/healthz");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });
});

describe("security headers on every response", () => {
  it.each([
    ["/healthz", "GET"],
    ["/login", "GET"],
    ["/panel/settings/security", "GET"],
    ["/does-not-exist", "GET"],
    ["/csrf-token", "GET"],
    ["/login", "POST"],
    ["/logout", "POST"],
    ["/panel/api/setting/apiTokens", "GET"],
    ["/panel/api/nope", "POST"],
  ])("%s %s", async (path, method) => {
    const res = await request(baseUrl, path, { method });
    expectSecurityHeaders(res.headers, `${method} ${path}`);
  });

  it("pages carry a per-request nonce CSP that allows no inline script without it", async () => {
    const a = await request(baseUrl, "/login");
    const b = await request(baseUrl, "/login");
    const nonceOf = (csp: string | null) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];
    expect(nonceOf(a.headers.get("content-security-policy"))).toBeTruthy();
    expect(nonceOf(a.headers.get("content-security-policy"))).not.toBe(nonceOf(b.headers.get("content-security-policy")));
    expect(a.headers.get("content-security-policy")).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    // Every script tag on the page carries the nonce.
    const nonce = nonceOf(a.headers.get("content-security-policy"))!;
    const scripts = a.text.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it("static assets carry the headers too", async () => {
    const page = await request(baseUrl, "/login");
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(asset).toBeTruthy();
    const res = await request(baseUrl, asset!);
    expect(res.status).toBe(200);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  });
});

interface Part {
  current: number;
  total: number;
}
/** The fields of 3x-ui's Status struct (internal/web/service/server.go) this test reads. */
interface StatusObj {
  cpu: number;
  cpuCores: number;
  logicalPro: number;
  mem: Part;
  swap: Part;
  disk: Part;
  loads: number[];
  uptime: number;
  xray: { state: string; errorMsg: string; version: string };
  panelVersion: string;
  panelGuid: string;
  publicIP: { ipv4: string; ipv6: string };
  appStats: { threads: number; mem: number; uptime: number };
}

describe("compression", () => {
  /** Raw headers and body size as a client that accepts every encoding sees them (fetch would decode). */
  const fetchRaw = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; encoding: string | undefined; bytes: number }>((resolve, reject) => {
      http
        .get(`${baseUrl}${path}`, { headers: { "accept-encoding": "gzip, deflate, br", ...headers } }, (res) => {
          let bytes = 0;
          res.on("data", (chunk: Buffer) => (bytes += chunk.length));
          res.on("end", () => resolve({ status: res.statusCode!, encoding: res.headers["content-encoding"], bytes }));
        })
        .on("error", reject);
    });

  it("sends small JSON answers uncompressed to clients that accept gzip, and compresses large ones", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const created = await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "gzip-reader" } });
    const auth = bearer(created.json!.obj!.token);
    for (const [path, headers] of [
      ["/healthz", {}],
      ["/panel/api/server/status", auth],
      ["/panel/api/setting/apiTokens", {}],
    ] as const) {
      const res = await fetchRaw(path, headers);
      expect(res.encoding, path).toBeUndefined();
    }
    const status = await fetchRaw("/panel/api/server/status", auth);
    expect(status.status).toBe(200);
    expect(status.bytes).toBeGreaterThan(500); // the whole answer, as sent
    // The OpenAPI document (~80 KB) is worth compressing.
    const doc = await fetchRaw("/panel/api/openapi.json", auth);
    expect(doc.status).toBe(200);
    expect(doc.encoding).toBe("gzip");
  });
});

describe("GET /panel/api/server/status", () => {
  it("reports this machine's real figures as integers of bytes", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const created = await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", {
      body: { name: "status-reader", scope: "monitor" },
    });
    const res = await request<StatusObj>(baseUrl, "/panel/api/server/status", { headers: bearer(created.json!.obj!.token) });
    expect(res.status).toBe(200);
    const obj = res.json!.obj!;
    expect(obj.mem.total).toBe(os.totalmem());
    expect(obj.mem.current).toBeGreaterThan(0);
    expect(obj.mem.current).toBeLessThanOrEqual(obj.mem.total);
    for (const part of [obj.mem, obj.swap, obj.disk]) {
      expect(Number.isInteger(part.current) && Number.isInteger(part.total)).toBe(true);
    }
    expect(obj.disk.total).toBeGreaterThan(0);
    expect(obj.cpu).toBeGreaterThanOrEqual(0);
    expect(obj.cpu).toBeLessThanOrEqual(100);
    expect(obj.loads).toHaveLength(3);
    expect(Math.abs(obj.loads[0]! - os.loadavg()[0]!)).toBeLessThan(2);
    expect(Math.abs(obj.uptime - os.uptime())).toBeLessThan(30);
    expect(obj.logicalPro).toBe(os.availableParallelism());
    expect(obj.cpuCores).toBeGreaterThanOrEqual(1);
    expect(obj.xray).toEqual({ state: "stop", errorMsg: "", version: "" });
    expect(obj.publicIP).toEqual({ ipv4: "N/A", ipv6: "N/A" });
    expect(obj.panelVersion).toBe(packageJson.version);
    expect(obj.appStats.threads).toBeGreaterThanOrEqual(1);
    expect(obj.appStats.mem).toBeGreaterThan(10 * 1024 * 1024);
  });

  it("reports one panelGuid per database, made at the first start and kept across restarts", async () => {
    const guidOf = async (server: PanelServer) => {
      const s = new BrowserSession(server.baseUrl);
      await s.login("admin", "guid-password-1");
      return (await s.send<StatusObj>("/panel/api/server/status")).json!.obj!.panelGuid;
    };
    const env = { ADMIN_USERNAME: "admin", ADMIN_PASSWORD: "guid-password-1" };
    const first = await startPanelServer({ env, keepData: true });
    const guid = await guidOf(first);
    await first.stop();
    const again = await startPanelServer({ env, dataDir: first.dataDir });
    const other = await startPanelServer({ env });
    try {
      expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(await guidOf(again)).toBe(guid);
      expect(await guidOf(other)).not.toBe(guid);
    } finally {
      await again.stop();
      await other.stop();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });

  it("serves a snapshot: many requests within 2 s share one sample", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const stamps = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const res = await s.send<{ sampledAt: number }>("/panel/api/server/status");
      stamps.add(res.json!.obj!.sampledAt);
    }
    expect(stamps.size).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 2100));
    await s.send("/panel/api/server/status"); // triggers a background refresh
    await new Promise((r) => setTimeout(r, 200));
    const later = await s.send<{ sampledAt: number }>("/panel/api/server/status");
    expect(later.json!.obj!.sampledAt).toBeGreaterThan(Math.max(...stamps));
  });
});

describe("first start", () => {
  let fresh: PanelServer | undefined;
  afterAll(async () => {
    await fresh?.stop();
    if (fresh) rmSync(fresh.dataDir, { recursive: true, force: true });
  });

  it("without ADMIN_* creates `admin` with a random password printed once, which works", async () => {
    fresh = await startPanelServer({ keepData: true, env: { ADMIN_USERNAME: undefined, ADMIN_PASSWORD: undefined } });
    const printed = /username: (\S+)\n\s+password: (\S+)/.exec(fresh.output());
    expect(printed).not.toBeNull();
    const [, username, password] = printed!;
    expect(username).toBe("admin");
    expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(fresh.output().split(password!).length - 1).toBe(1);
    const s = new BrowserSession(fresh.baseUrl);
    expect((await s.login(username!, password!)).json?.success).toBe(true);
    expect((await new BrowserSession(fresh.baseUrl).login("admin", "admin")).json?.success).toBe(false);

    // A restart on the same database prints nothing new.
    const dataDir = fresh.dataDir;
    await fresh.stop();
    fresh = await startPanelServer({ dataDir, env: { ADMIN_USERNAME: undefined, ADMIN_PASSWORD: undefined } });
    expect(fresh.output()).not.toMatch(/password:/);
    expect((await new BrowserSession(fresh.baseUrl).login(username!, password!)).json?.success).toBe(true);
  });
});
