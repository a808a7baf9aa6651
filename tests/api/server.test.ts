import { rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
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

describe("lingering close", () => {
  /** One raw request that sends `bodyBytes` of body and `Connection: close`; what came back, or "reset". */
  function sendWithBody(path: string, method: string, headers: Record<string, string>, bodyBytes: number): Promise<{ status: number; complete: boolean } | "reset"> {
    const { hostname, port } = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      socket.on("data", (d: Buffer) => chunks.push(d));
      socket.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" || e.code === "EPIPE" ? resolve("reset") : reject(e)));
      socket.on("end", () => {
        const raw = Buffer.concat(chunks).toString("latin1");
        const split = raw.indexOf("\r\n\r\n");
        const head = raw.slice(0, split);
        const length = /\r\ncontent-length: (\d+)/i.exec(head)?.[1];
        // Whole: as long as Content-Length says, or a chunked body up to its last chunk.
        const complete = length !== undefined ? raw.length - split - 4 === Number(length) : /\r\ntransfer-encoding: chunked/i.test(head) && raw.endsWith("\r\n0\r\n\r\n");
        resolve({ status: Number(raw.slice(9, 12)), complete });
      });
      const head = Object.entries({ Host: `${hostname}:${port}`, "Content-Type": "application/json", "Content-Length": String(bodyBytes), Connection: "close", ...headers });
      socket.write(`${method} ${path} HTTP/1.1\r\n${head.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
      socket.write(Buffer.alloc(bodyBytes, "x"));
    });
  }

  it("an answer sent before the body was read reaches the client whole, never a reset (a GET with a body, a 413)", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const token = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: `linger-${Date.now()}` } })).json!.obj!.token;
    const auth = bearer(token);
    const results: Awaited<ReturnType<typeof sendWithBody>>[] = [];
    // A large answer (the OpenAPI document) to a GET that carries 1 MB nobody reads: without the
    // lingering close about a third of these ended in a reset on this machine.
    for (let i = 0; i < 15; i++) results.push(await sendWithBody("/panel/api/openapi.json", "GET", auth, 1_000_000));
    for (let i = 0; i < 5; i++) results.push(await sendWithBody("/panel/api/setting/apiTokens/create", "POST", auth, 1_000_000));
    expect(results.filter((r) => r === "reset")).toHaveLength(0);
    expect(results.map((r) => typeof r !== "string" && r.complete)).toEqual(Array(20).fill(true));
    expect(results.map((r) => (r as { status: number }).status)).toEqual([...Array(15).fill(200), ...Array(5).fill(413)]);
  });
});
