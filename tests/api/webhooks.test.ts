import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "@/lib/webhooks/signature";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { openDirect } from "../support/direct-db";
import { ageConfirmation } from "../support/reauth";
import { startPanelServer, type PanelServer } from "../support/server";

/**
 * Outgoing webhooks (issue 17, point 6) on the real server against a receiver
 * on 127.0.0.1: signatures, retries with backoff, each event once with two
 * instances on one database, no secret in any payload.
 */
const ADMIN = { username: "admin", password: "webhook-suite-password-1" };
const HOOKS = "/panel/api/setting/webhooks";
const TOKENS = "/panel/api/setting/apiTokens";

interface Delivery {
  id: number;
  event: string;
  state: string;
  attempts: number;
  lastStatus: number;
  lastError: string;
}
interface Hook {
  id: number;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret?: string;
  lastDelivery: Delivery | null;
}
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A receiver on 127.0.0.1: records every request; a path's first `failures[path]` requests get 500. */
class Receiver {
  readonly received: Received[] = [];
  readonly failures = new Map<string, number>();
  private server!: Server;
  url = "";
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
        const left = this.failures.get(path) ?? 0;
        this.failures.set(path, left - 1);
        res.writeHead(left > 0 ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }
  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let server: PanelServer;
let second: PanelServer;
let db: Client;
let adminToken: string;
const receiver = new Receiver();
let n = 0;
const unique = (p: string) => `${p}-${++n}-${Math.random().toString(36).slice(2, 7)}`;

function api<T = unknown>(path: string, body?: unknown, token = adminToken, base = server.baseUrl): Promise<ApiResponse<T>> {
  return request<T>(base, path, { headers: bearer(token), body });
}
async function createHook(events: string[], path = `/${unique("hook")}`, extra: Record<string, unknown> = {}): Promise<Hook & { path: string }> {
  const res = await api<Hook>(`${HOOKS}/create`, { name: unique("hook"), url: `${receiver.url}${path}`, events, ...extra });
  expect(res.status, res.text).toBe(200);
  return { ...res.json!.obj!, path };
}
async function until<T>(what: string, probe: () => T | Promise<T>, ms = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const payloadOf = (r: Received) => JSON.parse(r.body) as { event: string; eventId: number; target: { id: number; name: string }; detail: Record<string, unknown>; ip: string };
const count = async (sql: string) => Number((await db.execute(sql)).rows[0]!.n);

beforeAll(async () => {
  await receiver.start();
  const env = { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_SECONDS: "1" };
  server = await startPanelServer({ env });
  db = openDirect(server.databaseUrl);
  const s = new BrowserSession(server.baseUrl);
  await s.login(ADMIN.username, ADMIN.password);
  adminToken = (await s.send<{ token: string }>(`${TOKENS}/create`, { body: { name: "webhook-suite-admin" } })).json!.obj!.token;
});
afterAll(async () => {
  db?.close();
  await second?.stop();
  await server?.stop();
  await receiver.stop();
});

describe("webhook settings", () => {
  it("returns the signing secret once, keeps it only encrypted, and never lists it", async () => {
    const hook = await createHook(["token.created"]);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = (await api<Hook[]>(HOOKS)).json!.obj!.find((h) => h.id === hook.id)!;
    expect(listed).toMatchObject({ name: hook.name, events: ["token.created"], enabled: true });
    expect(JSON.stringify(listed)).not.toContain(hook.secret);
    const { rows } = await db.execute({ sql: "SELECT * FROM webhooks WHERE id = ?", args: [hook.id] });
    expect(String(rows[0]!.secret_box)).toMatch(/^v1\./);
    const dump = JSON.stringify((await db.execute("SELECT * FROM webhooks")).rows) + JSON.stringify((await db.execute("SELECT * FROM audit_events")).rows);
    expect(dump).not.toContain(hook.secret!.slice("whsec_".length));
    expect(server.output()).not.toContain(hook.secret!.slice("whsec_".length));
  });

  it.each([
    [{ url: "ftp://127.0.0.1/x" }, "webhook URL must be an http:// or https:// address"],
    [{ url: "not a url" }, "webhook URL must be an http:// or https:// address"],
    [{ url: "http://user:pw@127.0.0.1/x" }, "webhook URL must not contain a user name or password"],
    [{ events: [] }, "choose at least one event"],
    [{ events: ["token.created", "token.stolen"] }, "unknown event"],
    [{ name: "gra\u200bfana" }, "webhook name must not contain control or invisible formatting characters"],
    [{ name: "   " }, "webhook name is required"],
  ])("refuses %j with a clear 400 and writes nothing", async (change, msg) => {
    const before = await count("SELECT count(*) AS n FROM webhooks");
    const res = await api(`${HOOKS}/create`, { name: unique("bad"), url: `${receiver.url}/bad`, events: ["token.created"], ...change });
    expect(res.status).toBe(400);
    expect(res.json?.msg).toContain(msg);
    expect(await count("SELECT count(*) AS n FROM webhooks")).toBe(before);
  });

  it("keeps only a URL's origin in the audit log: chat services put their credential in the path", async () => {
    const hook = await createHook(["token.created"], "/services/T000/B000/s3cr3tPathPart");
    await api(`${HOOKS}/update/${hook.id}`, { url: `${receiver.url}/services/T000/B000/an0therS3cret?x=1` });
    await api(`${HOOKS}/delete/${hook.id}`, {});
    const { rows } = await db.execute({ sql: "SELECT action, detail FROM audit_events WHERE target_type = 'webhook' AND target_id = ?", args: [hook.id] });
    expect(rows.map((r) => r.action)).toEqual(["webhook.create", "webhook.update", "webhook.delete"]);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/s3cr3tPathPart|an0therS3cret/);
    expect(text).toContain(`${receiver.url}/…`);
  });

  it("answers 404 for a webhook that does not exist, and 400 for an id that is not one", async () => {
    expect((await api(`${HOOKS}/update/999999`, { enabled: false })).status).toBe(404);
    expect((await api(`${HOOKS}/test/999999`, {})).status).toBe(404);
    expect((await api(`${HOOKS}/0x10/deliveries`)).status).toBe(400);
  });

  it("audits changes with what changed, and a save that changes nothing writes nothing", async () => {
    const hook = await createHook(["token.created"]);
    const res = await api<Hook>(`${HOOKS}/update/${hook.id}`, { events: ["token.created", "token.deleted"] });
    expect(res.json?.obj?.events).toEqual(["token.created", "token.deleted"]);
    const audits = () => count(`SELECT count(*) AS n FROM audit_events WHERE action = 'webhook.update' AND target_id = ${hook.id}`);
    expect(await audits()).toBe(1);
    const same = await api<Hook>(`${HOOKS}/update/${hook.id}`, { events: ["token.deleted", "token.created"] });
    expect(same.json?.msg).toBe("nothing changed");
    expect(await audits()).toBe(1);
  });

  it("asks a browser session to re-authenticate before it adds a webhook", async () => {
    const s = new BrowserSession(server.baseUrl, "127.0.7.1");
    await s.login(ADMIN.username, ADMIN.password);
    const body = (name: string) => ({ body: { name: unique(name), url: `${receiver.url}/sudo`, events: ["token.created"] } });
    expect((await s.send(`${HOOKS}/create`, body("fresh"))).status).toBe(200);
    await ageConfirmation(db, s);
    const before = await count("SELECT count(*) AS n FROM webhooks");
    const res = await s.send(`${HOOKS}/create`, body("stale"));
    expect([res.status, res.headers.get("x-reauth-required")]).toEqual([403, "1"]);
    expect(await count("SELECT count(*) AS n FROM webhooks")).toBe(before);
    // Whatever would quiet the alerts asks too; a rename does not.
    const hook = await createHook(["token.created", "token.deleted"]);
    for (const [path, change] of [
      [`update/${hook.id}`, { enabled: false }],
      [`update/${hook.id}`, { events: ["token.created"] }],
      [`update/${hook.id}`, { url: `${receiver.url}/elsewhere` }],
      [`rotateSecret/${hook.id}`, {}],
      [`delete/${hook.id}`, {}],
    ] as const) {
      const refused = await s.send(`${HOOKS}/${path}`, { body: change });
      expect([path, refused.status, refused.headers.get("x-reauth-required")]).toEqual([path, 403, "1"]);
    }
    expect((await s.send<Hook>(`${HOOKS}/update/${hook.id}`, { body: { name: unique("renamed"), events: ["token.deleted", "token.created", "token.rotated"] } })).status).toBe(200);
    expect((await api<Hook[]>(HOOKS)).json!.obj!.find((h) => h.id === hook.id)).toMatchObject({ enabled: true, url: `${receiver.url}${hook.path}` });
  });
});

describe("deliveries", () => {
  it("announces a token's life, signed, with no secret in the payload", async () => {
    const hook = await createHook(["token.created", "token.rotated", "token.disabled", "token.deleted"]);
    const made = (await api<{ id: number; token: string }>(`${TOKENS}/create`, { name: unique("announced"), scope: "monitor" })).json!.obj!;
    const rotated = (await api<{ token: string }>(`${TOKENS}/rotate/${made.id}`, { graceSeconds: 0 })).json!.obj!;
    await api(`${TOKENS}/setEnabled/${made.id}`, { enabled: false });
    await api(`${TOKENS}/delete/${made.id}`, {});
    const got = await until("four deliveries", () => (receiver.at(hook.path).length >= 4 ? receiver.at(hook.path) : null));
    expect(got.map((r) => r.headers["x-xui-event"])).toEqual(["token.created", "token.rotated", "token.disabled", "token.deleted"]);
    for (const r of got) {
      expect(verifySignature(hook.secret!, r.body, String(r.headers["x-xui-signature"]), Date.now())).toBe(true);
      expect(verifySignature(hook.secret!, r.body.replace(made.id.toString(), "0"), String(r.headers["x-xui-signature"]), Date.now())).toBe(false);
      expect(payloadOf(r)).toMatchObject({ event: r.headers["x-xui-event"], target: { id: made.id } });
      expect(r.body).not.toContain(made.token);
      expect(r.body).not.toContain(rotated.token);
      expect(r.headers["content-type"]).toBe("application/json");
    }
  });

  it("retries a failing receiver with backoff, same body and delivery id each time, until it answers 2xx", async () => {
    const hook = await createHook(["token.created"]);
    receiver.failures.set(hook.path, 2);
    const res = await api<Delivery>(`${HOOKS}/test/${hook.id}`, {});
    expect(res.json?.obj).toMatchObject({ event: "webhook.test", state: "pending", attempts: 0 });
    const got = await until("three attempts", () => (receiver.at(hook.path).length >= 3 ? receiver.at(hook.path) : null), 20_000);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    expect(new Set(got.map((r) => r.headers["x-xui-delivery"])).size).toBe(1);
    for (const r of got) expect(verifySignature(hook.secret!, r.body, String(r.headers["x-xui-signature"]), Date.now())).toBe(true);
    // 1 s, then 4 s (WEBHOOK_RETRY_SECONDS=1, four times longer after each failure).
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(3_900);
    const log = await until("delivered", async () => {
      const list = (await api<Delivery[]>(`${HOOKS}/${hook.id}/deliveries`)).json!.obj!;
      return list[0]?.state === "delivered" ? list : null;
    });
    expect(log[0]).toMatchObject({ event: "webhook.test", attempts: 3, lastStatus: 204, lastError: "" });
  });

  it("records a receiver that is down as an error and keeps the delivery pending", async () => {
    const hook = await createHook(["token.created"], "/down", { url: "http://127.0.0.1:9/down" });
    await api(`${HOOKS}/test/${hook.id}`, {});
    const log = await until("a failed attempt", async () => {
      const list = (await api<Delivery[]>(`${HOOKS}/${hook.id}/deliveries`)).json!.obj!;
      return list[0]?.attempts ? list : null;
    });
    expect(log[0]).toMatchObject({ state: "pending", lastStatus: 0 });
    expect(log[0]!.lastError).toMatch(/ECONNREFUSED/);
    await api(`${HOOKS}/delete/${hook.id}`, {});
  });

  it("signs with a rotated secret from then on, and not with the old one", async () => {
    const hook = await createHook(["token.created"]);
    const { secret } = (await api<{ secret: string }>(`${HOOKS}/rotateSecret/${hook.id}`, {})).json!.obj!;
    expect(secret).not.toBe(hook.secret);
    await api(`${HOOKS}/test/${hook.id}`, {});
    const [r] = await until("a test delivery", () => (receiver.at(hook.path).length ? receiver.at(hook.path) : null));
    expect(verifySignature(secret, r!.body, String(r!.headers["x-xui-signature"]), Date.now())).toBe(true);
    expect(verifySignature(hook.secret!, r!.body, String(r!.headers["x-xui-signature"]), Date.now())).toBe(false);
  });

  it("a webhook turned off hears nothing, and turned back on does not get what it missed", async () => {
    const hook = await createHook(["token.created"]);
    await api(`${HOOKS}/update/${hook.id}`, { enabled: false });
    const missed = unique("missed");
    await api(`${TOKENS}/create`, { name: missed, scope: "monitor" });
    await new Promise((r) => setTimeout(r, 2_500));
    await api(`${HOOKS}/update/${hook.id}`, { enabled: true });
    const heard = unique("heard");
    await api(`${TOKENS}/create`, { name: heard, scope: "monitor" });
    const got = await until("the later event", () => (receiver.at(hook.path).length ? receiver.at(hook.path) : null));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.at(hook.path).map((r) => payloadOf(r).target.name)).toEqual([heard]);
    expect(got).toHaveLength(1);
  });

  it("announces leaked-token revocations, canary use and reuse of a rotated-out secret", async () => {
    const hook = await createHook(["token.leak_revoked", "token.canary_triggered", "token.reuse_detected"]);
    const leaked = (await api<{ id: number; token: string }>(`${TOKENS}/create`, { name: unique("leaked"), scope: "monitor" })).json!.obj!;
    expect((await request(server.baseUrl, "/api/credentials/revoke", { body: { credentials: [leaked.token] }, localAddress: "127.0.9.1" })).status).toBe(202);
    const canary = (await api<{ id: number; token: string }>(`${TOKENS}/create`, { name: unique("canary"), scope: "admin", canary: true })).json!.obj!;
    expect((await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(canary.token), localAddress: "127.0.9.2" })).status).toBe(401);
    const old = (await api<{ id: number; token: string }>(`${TOKENS}/create`, { name: unique("reused"), scope: "monitor" })).json!.obj!;
    // A secret rotated out with no grace is forgotten; past a grace, it is a reuse.
    await api(`${TOKENS}/rotate/${old.id}`, { graceSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(old.token), localAddress: "127.0.9.3" })).status).toBe(401);
    const got = await until("three alarms", () => (receiver.at(hook.path).length >= 3 ? receiver.at(hook.path) : null));
    const byEvent = new Map(got.map((r) => [String(r.headers["x-xui-event"]), payloadOf(r)]));
    expect(byEvent.get("token.leak_revoked")).toMatchObject({ target: { id: leaked.id } });
    expect(byEvent.get("token.canary_triggered")).toMatchObject({ target: { id: canary.id }, ip: "127.0.9.2", detail: { route: "GET /panel/api/server/status" } });
    expect(byEvent.get("token.reuse_detected")).toMatchObject({ target: { id: old.id }, ip: "127.0.9.3" });
    for (const r of got) for (const secret of [leaked.token, canary.token, old.token]) expect(r.body).not.toContain(secret);
  });

  it("announces a sign-in from an address not seen before, once", async () => {
    const hook = await createHook(["login.new_address"]);
    for (let i = 0; i < 2; i++) {
      const s = new BrowserSession(server.baseUrl, "127.0.8.1");
      expect((await s.login(ADMIN.username, ADMIN.password)).json?.success).toBe(true);
    }
    const got = await until("the new-address event", () => (receiver.at(hook.path).length ? receiver.at(hook.path) : null));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.at(hook.path)).toHaveLength(1);
    expect(payloadOf(got[0]!)).toMatchObject({ event: "login.new_address", ip: "127.0.8.1", target: { name: ADMIN.username } });
  });

  it("with two instances on one database, each event is delivered once", async () => {
    second = await startPanelServer({
      databaseUrl: server.databaseUrl,
      env: { WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_SECONDS: "1" },
    });
    const hook = await createHook(["token.created"]);
    const names = Array.from({ length: 12 }, () => unique("pair"));
    await Promise.all(names.map((name, i) => api(`${TOKENS}/create`, { name, scope: "monitor" }, adminToken, i % 2 ? second.baseUrl : server.baseUrl)));
    await until("twelve deliveries", () => receiver.at(hook.path).length >= 12);
    await new Promise((r) => setTimeout(r, 2_000));
    const heard = receiver.at(hook.path).map((r) => payloadOf(r).target.name);
    expect(heard.sort()).toEqual([...names].sort());
    // Whichever instance sent it, it is signed with the one secret.
    for (const r of receiver.at(hook.path)) expect(verifySignature(hook.secret!, r.body, String(r.headers["x-xui-signature"]), Date.now())).toBe(true);
  });
});
