import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq, sql } from "drizzle-orm";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { auditEvents } from "@/db/schema/audit-events";
import { allowedEndpoints } from "@/lib/api/permissions";
import { enforceAuditRetention, flushAggregated, noteAggregated } from "@/lib/audit/aggregate";
import { ANONYMOUS, systemContext, type AuditContext } from "@/lib/audit/context";
import { listAuditEvents, auditLogQuery } from "@/lib/audit/query";
import { bearerBlockedFor, MAX_BEARER_FAILURES_PER_MINUTE, recordBearerFailure } from "@/lib/auth/bearer-throttle";
import { flushSharedHits } from "@/lib/rate-limit/shared-window";
import { DomainError } from "@/lib/errors";
import { hashToken, mintToken, tokenChecksum } from "@/lib/tokens/format";
import { importXuiTokens } from "@/lib/tokens/import-3x-ui";
import { normalizeAllowedIp } from "@/lib/tokens/ip-allowlist";
import { backfillNameKeys } from "@/lib/tokens/name-keys";
import { createTokenBody, MSG, updateTokenBody, rotateTokenBody } from "@/lib/tokens/schemas";
import {
  createToken,
  deleteToken,
  listTokens,
  revokeLeakedTokens,
  rotateToken,
  setTokenEnabled,
  updateToken,
  verifyBearerToken,
} from "@/lib/tokens/service";
import { migrateDatabase } from "@/db/migrate";
import { openTestDb, type TestDb } from "../support/db";

const MIGRATIONS = path.resolve(__dirname, "..", "..", "db", "migrations");

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(() => t.cleanup());

const ADMIN_CTX: AuditContext = { actor: { type: "session", id: 1, name: "admin" }, ip: "198.51.100.1" };
const create = (body: Record<string, unknown>, now = Date.now()) =>
  createToken(t.db, createTokenBody.parse(body), ADMIN_CTX, now);
const verify = (token: string, ip = "203.0.113.1", now?: number) => verifyBearerToken(t.db, token, { ip, now });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const writes = () => t.queries.filter((q) => /^(insert|update|delete)/.test(q));

async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DomainError);
  return (e as Error).message;
}

describe("verification cache", () => {
  it("answers a repeated token from memory, with no query per request", async () => {
    const a = await create({ name: "hot" });
    await verify(a.token);
    t.queries.length = 0;
    for (let i = 0; i < 50; i++) expect(await verify(a.token)).not.toBeNull();
    expect(t.queries.length).toBeLessThanOrEqual(1); // at most one generation poll
  });

  it("answers random unknown tokens from the hash set, without the database", async () => {
    const a = await create({ name: "real" });
    await verify(a.token);
    await verify(`xui_${"Q".repeat(30)}${tokenChecksum("Q".repeat(30))}`); // kicks off the hash-set load
    await sleep(50);
    t.queries.length = 0;
    for (let i = 0; i < 20; i++) {
      const body = mintToken().plaintext.slice(4, 34);
      expect(await verify(`xui_${body}${tokenChecksum(body)}`)).toBeNull();
    }
    expect(t.queries.filter((q) => q.includes('from "api_tokens"'))).toHaveLength(0);
    // A token created now is not in the loaded set, and must still work at once.
    const b = await create({ name: "brand-new" });
    expect(await verify(b.token)).not.toBeNull();
  });

  it("sees a change made by this process on the very next call", async () => {
    const a = await create({ name: "toggle" });
    expect(await verify(a.token)).not.toBeNull();
    await setTokenEnabled(t.db, { id: a.id, enabled: false }, ADMIN_CTX);
    expect(await verify(a.token)).toBeNull();
    await setTokenEnabled(t.db, { id: a.id, enabled: true }, ADMIN_CTX);
    expect(await verify(a.token)).not.toBeNull();
  });

  it("never trusts or caches a row read from a database older than the generation it knows", async () => {
    // As DATABASE_URL spreading reads over replicas at different points in time would look:
    // the generation read by the poll is newer than the one the token's row comes with.
    const a = await create({ name: "fresh-read" });
    const b = await create({ name: "behind-read" });
    expect(await verify(a.token)).not.toBeNull();
    await t.client.execute("UPDATE token_state SET generation = generation - 1");
    expect(await verify(b.token)).toBeNull();
    // Once the poll reads the database's own generation again, its rows are trusted.
    await sleep(300);
    expect(await verify(b.token)).not.toBeNull();
  });

  describe("with a second connection pool on the same file (another instance)", () => {
    let other: DatabaseHandle;
    beforeEach(() => {
      other = openDatabase(t.url);
    });
    afterEach(() => other.close());

    it("a token disabled elsewhere is refused within the poll interval (< 1 s)", async () => {
      const a = await create({ name: "shared" });
      expect(await verifyBearerToken(other.db, a.token, { ip: "203.0.113.1" })).not.toBeNull();
      await setTokenEnabled(t.db, { id: a.id, enabled: false }, ADMIN_CTX);
      const started = Date.now();
      while ((await verifyBearerToken(other.db, a.token, { ip: "203.0.113.1" })) !== null) {
        expect(Date.now() - started).toBeLessThan(1000);
        await sleep(20);
      }
    });

    it("a token added elsewhere works here within the poll interval, even after it was cached as unknown", async () => {
      // An imported (3x-ui) token a bot keeps presenting before the admin imports it.
      const plaintext = "imported-3xui-token-0123456789abcdef";
      expect(await verify(plaintext)).toBeNull();
      await importXuiTokens(other.db, [{ name: "imported", token: hashToken(plaintext) }], systemContext("cli"));
      const started = Date.now();
      while ((await verify(plaintext)) === null) {
        expect(Date.now() - started).toBeLessThan(1000);
        await sleep(20);
      }
    });
  });
});

describe("last used", () => {
  it("is written once per minute per token, not per request", async () => {
    const now = Date.now();
    const a = await create({ name: "busy" }, now);
    t.queries.length = 0;
    for (let i = 0; i < 30; i++) await verify(a.token, "203.0.113.9", now + i * 100);
    expect(writes().filter((q) => q.includes("last_used_at"))).toHaveLength(1);
    const [view] = await listTokens(t.db);
    expect(view!.lastUsedAt).toBe(Math.floor(now / 1000));
    expect(view!.lastUsedIp).toBe("203.0.113.9");

    t.queries.length = 0;
    await verify(a.token, "203.0.113.10", now + 61_000);
    expect(writes().filter((q) => q.includes("last_used_at"))).toHaveLength(1);
    await sleep(20);
    expect((await listTokens(t.db))[0]!.lastUsedIp).toBe("203.0.113.10");
  });

  it("is not written for refused requests", async () => {
    const a = await create({ name: "locked", allowedIps: ["10.0.0.0/8"] });
    t.queries.length = 0;
    expect(await verify(a.token, "192.0.2.1")).toBeNull();
    expect(writes()).toHaveLength(0);
    expect((await listTokens(t.db))[0]!.lastUsedAt).toBe(0);
  });
});

describe("IP allowlists", () => {
  it.each([
    ["10.1.2.3", "10.1.2.3/32"],
    ["10.1.2.3/8", "10.0.0.0/8"],
    [" 192.168.0.0/16 ", "192.168.0.0/16"],
    ["2001:db8::1", "2001:db8::1/128"],
    ["2001:DB8:0:0::/32", "2001:db8::/32"],
    ["::ffff:10.0.0.1", "10.0.0.1/32"],
    ["::ffff:127.0.0.1/128", "127.0.0.1/32"],
    ["::FFFF:10.1.2.3/104", "10.0.0.0/8"],
    ["::ffff:0:0/96", "0.0.0.0/0"],
    ["::ffff:10.0.0.1/64", "::/64"],
    ["0.0.0.0/0", "0.0.0.0/0"],
  ])("normalises %j to %j", (input, expected) => expect(normalizeAllowedIp(input)).toBe(expected));

  it.each(["10.0.0.300", "10.0.0.0/33", "127.1", "0x7f.0.0.1", "10.0.0.0/8/8", "example.com", "", "::1/129", "10.0.0.0/-1", "::ffff:10.0.0.1/129"])(
    "refuses %j",
    (input) => expect(normalizeAllowedIp(input)).toBeNull(),
  );

  it("validates lists with a clear message", () => {
    expect(createTokenBody.safeParse({ name: "x", allowedIps: ["10.0.0.0/8", "nope"] }).error?.issues[0]?.message).toBe(
      'allowedIps: "nope" is not an IPv4/IPv6 address or CIDR range',
    );
    expect(createTokenBody.safeParse({ name: "x", allowedIps: "10.0.0.0/8" }).error?.issues[0]?.message).toBe(MSG.allowedIpsInvalid);
    expect(createTokenBody.safeParse({ name: "x", allowedIps: Array(101).fill("10.0.0.1") }).error?.issues[0]?.message).toBe(
      MSG.allowedIpsTooMany,
    );
    expect(createTokenBody.parse({ name: "x", allowedIps: ["10.0.0.1", "10.0.0.1/32"] }).allowedIps).toEqual(["10.0.0.1/32"]);
  });

  it("lets a token in only from its ranges; anywhere when the list is empty", async () => {
    const a = await create({ name: "office", allowedIps: ["10.0.0.0/8", "2001:db8::/32"] });
    expect(await verify(a.token, "10.200.3.4")).not.toBeNull();
    expect(await verify(a.token, "2001:db8:1::5")).not.toBeNull();
    expect(await verify(a.token, "11.0.0.1")).toBeNull();
    expect(await verify(a.token, "2001:db9::1")).toBeNull();
    expect(await verify(a.token, "unknown")).toBeNull();
    await updateToken(t.db, a.id, updateTokenBody.parse({ allowedIps: [] }), ADMIN_CTX);
    expect(await verify(a.token, "11.0.0.1")).not.toBeNull();
  });
});

describe("rotation", () => {
  it("issues a new plaintext; the old one works during the grace period, then fails", async () => {
    const now = Date.now();
    const a = await create({ name: "rotating", scope: "monitor", expiresAt: now + 86_400_000 }, now);
    const rotated = await rotateToken(t.db, a.id, { graceSeconds: 60 }, ADMIN_CTX, now);
    expect(rotated.token).not.toBe(a.token);
    expect(rotated).toMatchObject({ id: a.id, name: "rotating", scope: "monitor", expiresAt: a.expiresAt, graceUntil: now + 60_000 });
    expect(await verify(rotated.token, undefined, now + 1)).not.toBeNull();
    expect(await verify(a.token, undefined, now + 59_999)).not.toBeNull();
    expect(await verify(a.token, undefined, now + 60_000)).toBeNull();
    expect(await verify(rotated.token, undefined, now + 60_000)).not.toBeNull();
  });

  it("without grace, the old plaintext stops at once; a second rotation retires the first old one", async () => {
    const a = await create({ name: "rot2" });
    const r1 = await rotateToken(t.db, a.id, { graceSeconds: 0 }, ADMIN_CTX);
    expect(await verify(a.token)).toBeNull();
    const r2 = await rotateToken(t.db, a.id, { graceSeconds: 3600 }, ADMIN_CTX);
    const r3 = await rotateToken(t.db, a.id, { graceSeconds: 3600 }, ADMIN_CTX);
    expect(await verify(r1.token)).toBeNull();
    expect(await verify(r2.token)).not.toBeNull(); // the most recent old plaintext, in grace
    expect(await verify(r3.token)).not.toBeNull();
  });

  it("grace must be 0..86400 seconds; unknown ids are 'token not found'", async () => {
    expect(rotateTokenBody.safeParse({ graceSeconds: 86_401 }).error?.issues[0]?.message).toBe(MSG.graceInvalid);
    expect(rotateTokenBody.safeParse({ graceSeconds: -1 }).error?.issues[0]?.message).toBe(MSG.graceInvalid);
    expect(rotateTokenBody.safeParse({ graceSeconds: 1.5 }).error?.issues[0]?.message).toBe(MSG.graceInvalid);
    expect(await failure(rotateToken(t.db, 999, { graceSeconds: 0 }, ADMIN_CTX))).toBe(MSG.notFound);
  });
});

describe("update", () => {
  it("changes name, expiry and allowlist with create's rules", async () => {
    const now = Date.now();
    const a = await create({ name: "old-name" }, now);
    await create({ name: "taken" }, now);
    const updated = await updateToken(
      t.db,
      a.id,
      updateTokenBody.parse({ name: " new-name ", expiresAt: now + 3 * 86_400_000, allowedIps: ["192.0.2.0/24"] }),
      ADMIN_CTX,
      now,
    );
    expect(updated.view).toMatchObject({ name: "new-name", expiresAt: now + 3 * 86_400_000, expiresSoon: true, allowedIps: ["192.0.2.0/24"] });
    expect(await failure(updateToken(t.db, a.id, updateTokenBody.parse({ name: "taken" }), ADMIN_CTX, now))).toBe(MSG.nameTaken);
    expect(await failure(updateToken(t.db, a.id, updateTokenBody.parse({ expiresAt: now - 1 }), ADMIN_CTX, now))).toBe(
      MSG.expiresAtInvalid,
    );
    expect(await failure(updateToken(t.db, 777, updateTokenBody.parse({ name: "x" }), ADMIN_CTX, now))).toBe(MSG.notFound);
    expect(updateTokenBody.safeParse({}).error?.issues[0]?.message).toBe(MSG.nothingToUpdate);
    expect(updateTokenBody.safeParse({ name: "" }).error?.issues[0]?.message).toBe(MSG.nameRequired);
    expect((await listTokens(t.db, now)).find((v) => v.id === a.id)?.name).toBe("new-name");
  });
});

describe("leaked-token revocation", () => {
  it("disables every listed token that exists, including a rotated-out one in grace", async () => {
    const a = await create({ name: "leaked" });
    const b = await create({ name: "leaked-old" });
    const c = await create({ name: "innocent" });
    await rotateToken(t.db, b.id, { graceSeconds: 3600 }, ADMIN_CTX);
    const n = await revokeLeakedTokens(t.db, [a.token, b.token, "xui_not-a-token", "garbage"], { actor: ANONYMOUS, ip: "192.0.2.9" });
    expect(n).toBe(2);
    const views = await listTokens(t.db);
    expect(views.map((v) => [v.name, v.enabled])).toEqual([
      ["leaked", false],
      ["leaked-old", false],
      ["innocent", true],
    ]);
    expect(await verify(c.token)).not.toBeNull();
    expect(await revokeLeakedTokens(t.db, ["nothing-here-1234567"], { actor: ANONYMOUS, ip: "192.0.2.9" })).toBe(0);
  });

  it("matches nothing with a rotated-out secret past its grace or a token already off, and then writes nothing", async () => {
    const now = Date.now();
    const a = await create({ name: "rotated-long-ago" }, now);
    const replaced = await rotateToken(t.db, a.id, { graceSeconds: 60 }, ADMIN_CTX, now);
    const off = await create({ name: "already-off" }, now);
    await setTokenEnabled(t.db, { id: off.id, enabled: false }, ADMIN_CTX, now);
    t.queries.length = 0;
    const later = now + 61_000;
    expect(await revokeLeakedTokens(t.db, [a.token, off.token, mintToken().plaintext], { actor: ANONYMOUS, ip: "192.0.2.9" }, later)).toBe(0);
    expect(writes()).toHaveLength(0);
    expect(await verify(replaced.token, "203.0.113.1", later)).not.toBeNull();
  });
});

describe("name keys", () => {
  it("an upgrade keys plain ASCII names in the migration itself; the others, and names that collide, at start-up", async () => {
    // A database as it was before migration 0009, with tokens in it.
    const folder = mkdtempSync(path.join(os.tmpdir(), "xui-migrations-"));
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
    const before = journal.entries.filter((e) => e.tag < "0009");
    mkdirSync(path.join(folder, "meta"));
    writeFileSync(path.join(folder, "meta", "_journal.json"), JSON.stringify({ ...journal, entries: before }));
    for (const e of before) copyFileSync(path.join(MIGRATIONS, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));
    const dir = mkdtempSync(path.join(os.tmpdir(), "xui-upgrade-"));
    const old = openDatabase(`file:${path.join(dir, "panel.db")}`);
    try {
      await migrateDatabase(old, folder);
      await old.db.run(
        sql`INSERT INTO api_tokens (name, token_hash) VALUES ('Grafana-Bot', 'h1'), ('ci  deploy', 'h2'), ('Prometheus', 'h3'), ('prometheus', 'h4'), ('ｎｏｄｅ', 'h5')`,
      );
      await migrateDatabase(old, MIGRATIONS);
      const keyed = await old.db.select({ name: apiTokens.name, key: apiTokens.nameKey }).from(apiTokens).orderBy(asc(apiTokens.id));
      expect(keyed.map((r) => r.key)).toEqual(["grafana-bot", null, null, null, null]);
      await backfillNameKeys(old.db);
      const all = await old.db.select({ key: apiTokens.nameKey }).from(apiTokens).orderBy(asc(apiTokens.id));
      expect(all.map((r) => r.key)).toEqual(["grafana-bot", "ci deploy", "prometheus", "prometheus\u00014", "node"]);
    } finally {
      old.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("backfills tokens from before the key; one that reads like an older token's name keeps working, and no new name joins them", async () => {
    await t.db.run(sql`INSERT INTO api_tokens (name, token_hash) VALUES ('Grafana', 'h1'), ('ｇｒａｆａｎａ', 'h2'), ('Straße', 'h3')`);
    await backfillNameKeys(t.db);
    const rows = await t.db.select({ name: apiTokens.name, key: apiTokens.nameKey }).from(apiTokens).orderBy(asc(apiTokens.id));
    expect(rows).toEqual([
      { name: "Grafana", key: "grafana" },
      { name: "ｇｒａｆａｎａ", key: "grafana\u00012" },
      { name: "Straße", key: "strasse" },
    ]);
    expect(await failure(create({ name: "GRAFANA" }))).toBe(MSG.nameTaken);
    expect(await failure(create({ name: "STRASSE" }))).toBe(MSG.nameTaken);
    t.queries.length = 0;
    await backfillNameKeys(t.db); // done: one read, no write
    expect(writes()).toHaveLength(0);
  });
});

describe("audit log", () => {
  async function rows() {
    return t.db.select().from(auditEvents).orderBy(asc(auditEvents.id));
  }

  it("records each change once, with the actor, in the change's transaction", async () => {
    const tokenActor: AuditContext = { actor: { type: "token", id: 42, name: "ci" }, ip: "203.0.113.5" };
    const a = await create({ name: "audited" });
    await updateToken(t.db, a.id, updateTokenBody.parse({ name: "audited-2" }), tokenActor);
    await rotateToken(t.db, a.id, { graceSeconds: 10 }, tokenActor);
    await setTokenEnabled(t.db, { id: a.id, enabled: false }, ADMIN_CTX);
    await setTokenEnabled(t.db, { id: a.id, enabled: true }, ADMIN_CTX);
    await revokeLeakedTokens(t.db, [a.token], { actor: ANONYMOUS, ip: "192.0.2.1" });
    await deleteToken(t.db, { id: a.id }, systemContext("cli"));
    // Refused changes leave no row.
    await failure(setTokenEnabled(t.db, { id: a.id, enabled: true }, ADMIN_CTX));
    await create({ name: "taken-x" });
    await failure(create({ name: "taken-x" }));

    const log = (await rows()).filter((r) => r.targetName.startsWith("audited"));
    expect(log.map((r) => [r.action, r.actorType, r.actorName, r.ip, r.targetId, r.targetName])).toEqual([
      ["token.create", "session", "admin", "198.51.100.1", a.id, "audited"],
      ["token.update", "token", "ci", "203.0.113.5", a.id, "audited"],
      ["token.rotate", "token", "ci", "203.0.113.5", a.id, "audited-2"],
      ["token.disable", "session", "admin", "198.51.100.1", a.id, "audited-2"],
      ["token.enable", "session", "admin", "198.51.100.1", a.id, "audited-2"],
      ["token.leak_revoke", "anonymous", "", "192.0.2.1", a.id, "audited-2"],
      ["token.delete", "system", "cli", "", a.id, "audited-2"],
    ]);
    expect(JSON.parse(log[2]!.detail)).toEqual({ graceSeconds: 10 });
    // Never a secret.
    expect(JSON.stringify(await rows())).not.toContain(a.token);
  });

  it("aggregates high-volume events into one row per key with a count", async () => {
    const now = Date.now();
    const event = { key: `bearer.failure|192.0.2.7|${Math.floor(now / 60_000)}`, action: "bearer.failure" as const, outcome: "failure" as const, actor: ANONYMOUS, ip: "192.0.2.7" };
    for (let i = 0; i < 30; i++) noteAggregated(t.db, event, now);
    await flushAggregated(t.db, now);
    for (let i = 0; i < 5; i++) noteAggregated(t.db, event, now);
    await flushAggregated(t.db, now);
    const agg = (await rows()).filter((r) => r.action === "bearer.failure");
    expect(agg).toHaveLength(1);
    expect(agg[0]!.count).toBe(35);
  });

  it("pages newest first and filters by action and token", async () => {
    const a = await create({ name: "page-a" });
    const b = await create({ name: "page-b" });
    for (let i = 0; i < 3; i++) await setTokenEnabled(t.db, { id: a.id, enabled: i % 2 === 1 }, ADMIN_CTX);
    const first = await listAuditEvents(t.db, auditLogQuery.parse({ limit: "2" }));
    expect(first.events).toHaveLength(2);
    expect(first.events[0]!.id).toBeGreaterThan(first.events[1]!.id);
    const second = await listAuditEvents(t.db, auditLogQuery.parse({ limit: "2", before: String(first.nextBefore) }));
    expect(second.events[0]!.id).toBeLessThan(first.events[1]!.id);
    const onlyB = await listAuditEvents(t.db, auditLogQuery.parse({ tokenId: String(b.id) }));
    expect(onlyB.events.map((e) => e.action)).toEqual(["token.create"]);
    const disables = await listAuditEvents(t.db, auditLogQuery.parse({ action: "token.disable" }));
    expect(disables.events.every((e) => e.action === "token.disable")).toBe(true);
    expect(disables.events).toHaveLength(2);
    expect(auditLogQuery.safeParse({ action: "nope" }).success).toBe(false);
    expect(auditLogQuery.safeParse({ limit: "0" }).success).toBe(false);
    expect(auditLogQuery.parse({ limit: "5000" }).limit).toBe(200);
  });

  it("keeps only the newest N rows", async () => {
    for (let i = 0; i < 12; i++) await create({ name: `r${i}` });
    await enforceAuditRetention(t.db, 5);
    const left = await rows();
    expect(left.map((r) => r.targetName)).toEqual(["r7", "r8", "r9", "r10", "r11"]);
  });
});

describe("failed bearer throttle", () => {
  it(`blocks an IP after ${MAX_BEARER_FAILURES_PER_MINUTE} failures in a minute, for a minute, and no one else`, async () => {
    const now = Date.now();
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < MAX_BEARER_FAILURES_PER_MINUTE - 1; i++) {
      expect(await recordBearerFailure(t.db, ip, now)).toBe(0);
    }
    expect(bearerBlockedFor(t.db, ip, now)).toBe(0);
    expect(await recordBearerFailure(t.db, ip, now)).toBe(0);
    expect(bearerBlockedFor(t.db, ip, now)).toBe(60_000);
    expect(bearerBlockedFor(t.db, "198.19.0.1", now)).toBe(0);
    expect(bearerBlockedFor(t.db, ip, now + 60_000)).toBe(0);
    await flushSharedHits(t.db);
  });
});

describe("what a token can do", () => {
  it("lists exactly the routes its scope allows", () => {
    expect(allowedEndpoints("monitor")).toEqual([
      { method: "GET", path: "/panel/api/server/status", summary: expect.any(String) },
      { method: "GET", path: "/panel/api/setting/apiTokens/self", summary: expect.any(String) },
    ]);
    expect(allowedEndpoints("node-sync").map((e) => `${e.method} ${e.path}`)).toEqual([
      "GET /panel/api/server/status",
      "GET /panel/api/setting/apiTokens/self",
    ]);
    const admin = allowedEndpoints("admin").map((e) => `${e.method} ${e.path}`);
    expect(admin).toContain("POST /panel/api/setting/apiTokens/create");
    expect(admin).toContain("GET /panel/api/setting/auditLog");
  });
});

describe("schema", () => {
  it("stores allowedIps as JSON and the previous hash only during grace", async () => {
    const a = await create({ name: "raw", allowedIps: ["10.0.0.0/8"] });
    await rotateToken(t.db, a.id, { graceSeconds: 0 }, ADMIN_CTX);
    const row = await t.db.select().from(apiTokens).where(eq(apiTokens.id, a.id)).get();
    expect(row?.allowedIps).toBe('["10.0.0.0/8"]');
    expect(row?.previousTokenHash).toBeNull();
  });
});
