import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiTokens } from "@/db/schema/api-tokens";
import { systemContext } from "@/lib/audit/context";
import { checkWebhookTarget, isPublicAddress } from "@/lib/webhooks/address-guard";
import { deliverDue, deliveriesSettled, retryDelay } from "@/lib/webhooks/deliver";
import { warnExpiringTokens } from "@/lib/webhooks/expiry-check";
import { fanOut } from "@/lib/webhooks/fan-out";
import { EVENT_ACTIONS, WEBHOOK_EVENTS } from "@/lib/webhooks/events";
import { WEBHOOK_MSG } from "@/lib/webhooks/schemas";
import { decryptSecret } from "@/lib/crypto/panel-key";
import { createWebhook, listDeliveries, rotateWebhookSecret, SECRET_CONTEXT, sendTestDelivery } from "@/lib/webhooks/service";
import { signatureHeader, verifySignature } from "@/lib/webhooks/signature";
import { openTestDb, type TestDb } from "../support/db";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

beforeAll(() => {
  process.env.PANEL_SECRET_KEY ??= "ab".repeat(32);
});

describe("where a webhook may send", () => {
  it.each([
    ["8.8.8.8", true],
    ["2606:4700::1111", true],
    ["127.0.0.1", false],
    ["127.8.9.10", false],
    ["10.0.0.1", false],
    ["172.16.5.5", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["255.255.255.255", false],
    ["224.0.0.1", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fc00::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:8.8.8.8", true],
    ["64:ff9b::7f00:1", false],
    ["64:ff9b::808:808", true],
    ["::127.0.0.1", false],
    ["::808:808", false],
    ["2002:7f00:1::", false],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", false],
    ["2001:db8::1", false],
    ["not-an-address", false],
  ])("%s is public: %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it.each([
    "http://127.0.0.1/x",
    "http://[::1]/x",
    "http://[::ffff:127.0.0.1]/x",
    "http://[::127.0.0.1]/x",
    "http://127.0.0.1./x",
    "http://localhost/x",
    "http://0x7f000001/x",
    "http://2130706433/x",
    "http://0177.0.0.1/x",
    "http://169.254.169.254/latest/meta-data",
  ])("refuses %s unless private receivers are allowed", async (url) => {
    // The URL parser has already normalised the numeric forms: what is checked is where it connects.
    expect(await checkWebhookTarget(new URL(url).href, false)).toBe(WEBHOOK_MSG.urlPrivate);
    expect(await checkWebhookTarget(new URL(url).href, true)).toBeNull();
  });

  it("says so when a host name does not resolve", async () => {
    expect(await checkWebhookTarget("http://no-such-host.invalid/x", false)).toBe(WEBHOOK_MSG.urlUnresolvable);
  });
});

describe("signatures", () => {
  it("verifies the body it signed, within the tolerance, and nothing else", () => {
    const header = signatureHeader("whsec_test", '{"a":1}', NOW);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature("whsec_test", '{"a":1}', header, NOW + 60_000)).toBe(true);
    expect(verifySignature("whsec_test", '{"a":2}', header, NOW)).toBe(false);
    expect(verifySignature("whsec_other", '{"a":1}', header, NOW)).toBe(false);
    expect(verifySignature("whsec_test", '{"a":1}', header, NOW + 301_000)).toBe(false);
    expect(verifySignature("whsec_test", '{"a":1}', header.replace(/t=\d+/, `t=${NOW / 1000 + 1}`), NOW)).toBe(false);
    expect(verifySignature("whsec_test", '{"a":1}', "garbage", NOW)).toBe(false);
  });

  it("backs off four times longer after each failure, at most 6 hours", () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 30_000))).toEqual([30_000, 120_000, 480_000, 1_920_000]);
    expect(retryDelay(9, 30_000)).toBe(6 * 3_600_000);
  });
});

describe("on a real libSQL database", () => {
  let t: TestDb;
  let receiver: Server;
  let url = "";
  const hits: string[] = [];
  beforeEach(async () => {
    t = await openTestDb();
    hits.length = 0;
    receiver = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterEach(async () => {
    t.cleanup();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const token = (name: string, expiresAt: number, extra: Partial<typeof apiTokens.$inferInsert> = {}) =>
    t.db.insert(apiTokens).values({ name, nameKey: name, tokenHash: name.padEnd(64, "0"), scope: "monitor", expiresAt, createdAt: NOW, ...extra });

  it("warns once per token and threshold: 7 days, then 1 day; a new expiry warns again", async () => {
    await token("in-3-days", NOW + 3 * DAY);
    await token("in-12-hours", NOW + 12 * 3_600_000);
    await token("in-30-days", NOW + 30 * DAY);
    await token("never", 0);
    await token("canary", NOW + DAY / 2, { canary: true });
    await token("off", NOW + DAY / 2, { enabled: false });
    await token("expired", NOW - 1);
    const warned = async () =>
      (await t.client.execute("SELECT target_name AS name, json_extract(detail, '$.withinDays') AS days FROM audit_events WHERE action = 'token.expiring' ORDER BY id")).rows.map(
        (r) => `${r.name}:${r.days}`,
      );
    expect(await warnExpiringTokens(t.db, NOW)).toBe(2);
    expect(await warned()).toEqual(["in-3-days:7", "in-12-hours:1"]);
    // Every later pass (every instance, every minute) adds nothing…
    expect(await warnExpiringTokens(t.db, NOW + 60_000)).toBe(0);
    // …until a threshold is crossed.
    expect(await warnExpiringTokens(t.db, NOW + 2 * DAY + 60_000)).toBe(1);
    expect(await warned()).toEqual(["in-3-days:7", "in-12-hours:1", "in-3-days:1"]);
    await t.client.execute(`UPDATE api_tokens SET expires_at = ${NOW + 5 * DAY} WHERE name = 'in-3-days'`);
    expect(await warnExpiringTokens(t.db, NOW + 2 * DAY + 120_000)).toBe(1);
  });

  it("a pass with nothing to warn about writes nothing", async () => {
    await token("in-30-days", NOW + 30 * DAY);
    t.queries.length = 0;
    expect(await warnExpiringTokens(t.db, NOW)).toBe(0);
    expect(t.queries.filter((q) => !/^select/i.test(q))).toEqual([]);
    // …and finds its candidates on the expiry index, not by reading every token.
    const probe = t.statements.find((s) => s.sql.includes("AS due"));
    const { rows } = await t.client.execute({ sql: `EXPLAIN QUERY PLAN ${probe!.sql}`, args: probe!.params as never });
    expect(rows.map((r) => String(r.detail)).join("\n")).toMatch(/USING INDEX api_tokens_expiry_idx/);
  });

  it("queues a delivery per subscribed webhook and event, and sends it once however many instances pass over it", async () => {
    const ctx = systemContext("test");
    const hook = await createWebhook(t.db, { name: "hook", url, events: ["token.expiring"], enabled: true }, ctx, { allowPrivate: true }, NOW);
    await createWebhook(t.db, { name: "other", url: `${url}-other`, events: ["token.created"], enabled: true }, ctx, { allowPrivate: true }, NOW);
    await token("soon", Date.now() + 3 * DAY);
    await warnExpiringTokens(t.db);
    // Two instances passing at once.
    const queued = await Promise.all([fanOut(t.db, "panel"), fanOut(t.db, "panel")]);
    expect(queued.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const sent = await Promise.all([deliverDue(t.db, { allowPrivate: true, retryMs: 1000 }), deliverDue(t.db, { allowPrivate: true, retryMs: 1000 })]);
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    await deliveriesSettled();
    expect(hits).toEqual(["/hook"]);
    expect((await listDeliveries(t.db, hook.id)).map((d) => [d.event, d.state, d.attempts])).toEqual([["token.expiring", "delivered", 1]]);
  });

  it("queues each event from the audit row that announces it, and only for webhooks made before it", async () => {
    const ctx = systemContext("test");
    const hook = await createWebhook(t.db, { name: "all", url, events: [...WEBHOOK_EVENTS], enabled: true }, ctx, { allowPrivate: true }, NOW);
    const row = (action: string, ip = "") =>
      t.client.execute({ sql: "INSERT INTO audit_events (at, action, outcome, actor_type, actor_name, ip, target_type, target_id, target_name) VALUES (?, ?, 'success', 'system', 'test', ?, 'admin', 1, 'admin')", args: [NOW, action, ip] });
    for (const event of WEBHOOK_EVENTS) await row(EVENT_ACTIONS[event], "203.0.113.9");
    // A second sign-in from the same address is not new; other audit actions announce nothing.
    await row("login.success", "203.0.113.9");
    await row("token.update");
    await row("bearer.failure");
    // A webhook added after them, before any instance passed over them, hears none of them.
    const late = await createWebhook(t.db, { name: "late", url, events: [...WEBHOOK_EVENTS], enabled: true }, ctx, { allowPrivate: true }, NOW);
    await fanOut(t.db, "panel");
    const queued = (await t.client.execute({ sql: "SELECT event FROM webhook_deliveries WHERE webhook_id = ? ORDER BY event_id", args: [hook.id] })).rows.map((r) => r.event);
    expect(queued).toEqual([...WEBHOOK_EVENTS]);
    expect((await t.client.execute({ sql: "SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?", args: [late.id] })).rows[0]!.n).toBe(0);
  });

  it("counts a sign-in as from a new address per IPv4 address and per IPv6 /64 (privacy addresses change daily)", async () => {
    const ctx = systemContext("test");
    const hook = await createWebhook(t.db, { name: "new", url, events: ["login.new_address"], enabled: true }, ctx, { allowPrivate: true }, NOW);
    const ips = ["2001:db8:1:2::a", "2001:db8:1:2:9f1c:44ff:fe01:7", "2001:db8:1:3::a", "203.0.113.9", "203.0.113.10", "203.0.113.9", "2001:db8:1:3::ffff"];
    for (const [i, ip] of ips.entries()) {
      // Admin 2 signs in from the first address too: another admin's history is not this one's.
      for (const admin of i === 0 ? [2, 1] : [1]) {
        await t.client.execute({
          sql: "INSERT INTO audit_events (at, action, outcome, actor_type, actor_name, ip, target_type, target_id, target_name) VALUES (?, 'login.success', 'success', 'session', 'a', ?, 'admin', ?, 'a')",
          args: [NOW, ip, admin],
        });
      }
    }
    await fanOut(t.db, "panel");
    const announced = await t.client.execute({
      sql: "SELECT e.ip, e.target_id AS admin FROM webhook_deliveries d JOIN audit_events e ON e.id = d.event_id WHERE d.webhook_id = ? ORDER BY e.id",
      args: [hook.id],
    });
    expect(announced.rows.map((r) => `${r.admin} ${r.ip}`)).toEqual(["2 2001:db8:1:2::a", "1 2001:db8:1:2::a", "1 2001:db8:1:3::a", "1 203.0.113.9", "1 203.0.113.10"]);
  });

  it("a receiver that hangs holds two sends of its own, not the others' deliveries", async () => {
    const ctx = systemContext("test");
    const hanging = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    try {
      const stuckUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/stuck`;
      const stuck = await createWebhook(t.db, { name: "stuck", url: stuckUrl, events: ["token.created"], enabled: true }, ctx, { allowPrivate: true }, NOW);
      const fine = await createWebhook(t.db, { name: "fine", url, events: ["token.created"], enabled: true }, ctx, { allowPrivate: true }, NOW);
      for (let i = 0; i < 6; i++) await sendTestDelivery(t.db, stuck.id, ctx);
      await sendTestDelivery(t.db, fine.id, ctx);
      const options = { allowPrivate: true, retryMs: 1000 };
      expect(await deliverDue(t.db, options)).toBe(3);
      // The next round, while the two stuck sends still wait: nothing more of the stuck one is claimed.
      expect(await deliverDue(t.db, options)).toBe(0);
      await expect.poll(() => hits.length).toBe(1);
      expect((await listDeliveries(t.db, fine.id))[0]).toMatchObject({ state: "delivered" });
    } finally {
      hanging.closeAllConnections();
      await deliveriesSettled();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it("of concurrent new secrets, only the one stored is handed out; the others are refused, not answered with a dead secret", async () => {
    const ctx = systemContext("test");
    const hook = await createWebhook(t.db, { name: "hook", url, events: ["token.created"], enabled: true }, ctx, { allowPrivate: true }, NOW);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => rotateWebhookSecret(t.db, hook.id, ctx)));
    const given = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.secret] : []));
    expect(given.length).toBeGreaterThanOrEqual(1);
    const { rows } = await t.client.execute({ sql: "SELECT secret_box FROM webhooks WHERE id = ?", args: [hook.id] });
    expect(decryptSecret(String(rows[0]!.secret_box), SECRET_CONTEXT, "webhook-secret")).toBe(given.at(-1));
    for (const r of results) if (r.status === "rejected") expect(String(r.reason)).toContain(WEBHOOK_MSG.changedMeanwhile);
    expect(given).toHaveLength(1);
    await expect(rotateWebhookSecret(t.db, 999, ctx)).rejects.toThrow(WEBHOOK_MSG.notFound);
  });

  it("refuses at send time an address it would refuse when saved (a name that now resolves to loopback)", async () => {
    const ctx = systemContext("test");
    const hook = await createWebhook(t.db, { name: "hook", url, events: ["token.created"], enabled: true }, ctx, { allowPrivate: true }, NOW);
    const named = await createWebhook(t.db, { name: "named", url: url.replace("127.0.0.1", "localhost"), events: ["token.created"], enabled: true }, ctx, { allowPrivate: true }, NOW);
    await sendTestDelivery(t.db, hook.id, ctx);
    await sendTestDelivery(t.db, named.id, ctx);
    await deliverDue(t.db, { allowPrivate: false, retryMs: 1000 });
    await deliveriesSettled();
    expect(hits).toEqual([]);
    for (const id of [hook.id, named.id]) {
      const [d] = await listDeliveries(t.db, id);
      expect(d).toMatchObject({ state: "pending", attempts: 1, lastStatus: 0, lastError: WEBHOOK_MSG.urlPrivate });
    }
  });
});
