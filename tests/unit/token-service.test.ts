import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { apiTokens } from "@/db/schema/api-tokens";
import { DomainError } from "@/lib/errors";
import { hashToken, tokenChecksum } from "@/lib/tokens/format";
import { createTokenBody, deleteTokenBody, MSG, setEnabledBody, tokenIdParams } from "@/lib/tokens/schemas";
import { createToken, deleteToken, listTokens, setTokenEnabled, verifyBearerToken } from "@/lib/tokens/service";
import { systemContext } from "@/lib/audit/context";
import { openTestDb, type TestDb } from "../support/db";

let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(() => t.cleanup());

const NOW = 1_800_000_000_000;
const CTX = systemContext("unit");
const create = (body: Record<string, unknown>, now = NOW) => createToken(t.db, createTokenBody.parse(body), CTX, now);
const at = (now: number, ip = "203.0.113.1") => ({ ip, now });

async function domainError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).message;
}

async function rowCount(): Promise<number> {
  const [row] = await t.db.select({ n: sql<number>`count(*)` }).from(apiTokens);
  return row!.n;
}

describe("createToken", () => {
  it("returns the view plus the plaintext once, and stores only its hash", async () => {
    const created = await create({ name: "  central-panel-a  " });
    expect(created).toEqual({
      id: 1,
      name: "central-panel-a",
      description: "",
      enabled: true,
      createdAt: Math.floor(NOW / 1000),
      scope: "admin",
      expiresAt: 0,
      prefix: created.token.slice(0, 8),
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
      token: expect.stringMatching(/^xui_[0-9A-Za-z]{36}$/),
    });
    const rows = await t.client.execute("SELECT * FROM api_tokens");
    const stored = JSON.stringify(rows.rows);
    expect(stored).not.toContain(created.token);
    expect(rows.rows[0]!.token_hash).toBe(hashToken(created.token));
  });

  it("keeps scope and expiry", async () => {
    const created = await create({ name: "m", scope: "monitor", expiresAt: NOW + 60_000 });
    expect(created.scope).toBe("monitor");
    expect(created.expiresAt).toBe(NOW + 60_000);
  });

  it("refuses a taken name with the peer's message and adds no row", async () => {
    await create({ name: "dup" });
    expect(await domainError(create({ name: "dup" }))).toBe(MSG.nameTaken);
    expect(await domainError(create({ name: " dup " }))).toBe(MSG.nameTaken);
    expect(await rowCount()).toBe(1);
  });

  it("lets exactly one of 50 concurrent creates of one name win", async () => {
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => create({ name: "race" })));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const r of lost) expect((r.reason as Error).message).toBe(MSG.nameTaken);
    expect(await rowCount()).toBe(1);
  });

  it("refuses an expiry that is not in the future", async () => {
    expect(await domainError(create({ name: "past", expiresAt: NOW - 1 }))).toBe(MSG.expiresAtInvalid);
    expect(await domainError(create({ name: "now", expiresAt: NOW }))).toBe(MSG.expiresAtInvalid);
    expect(await rowCount()).toBe(0);
  });
});

describe("request schemas (the contract's messages)", () => {
  const firstMessage = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, v: unknown) =>
    schema.safeParse(v).error?.issues[0]?.message;

  it.each([
    [{}, MSG.nameRequired],
    [{ name: "" }, MSG.nameRequired],
    [{ name: "   " }, MSG.nameRequired],
    [{ name: null }, MSG.nameRequired],
    [{ name: 42 }, MSG.nameNotString],
    [{ name: "x".repeat(65) }, MSG.nameTooLong],
    [{ name: "bad\u0000name" }, MSG.nameControlChars],
    [{ name: "line\nbreak" }, MSG.nameControlChars],
    [{ name: "rtl\u202Eoverride" }, MSG.nameControlChars],
    [{ name: "ok", scope: "root" }, MSG.scopeInvalid],
    [{ name: "ok", scope: 1 }, MSG.scopeInvalid],
    [{ name: "ok", expiresAt: -1 }, MSG.expiresAtInvalid],
    [{ name: "ok", expiresAt: 1.5 }, MSG.expiresAtInvalid],
    [{ name: "ok", expiresAt: "1800000000000" }, MSG.expiresAtInvalid],
    [{ name: "ok", expiresAt: 1e300 }, MSG.expiresAtInvalid],
  ])("create %j → %s", (body, message) => {
    expect(firstMessage(createTokenBody, body)).toBe(message);
  });

  it("counts characters, not bytes or UTF-16 units, for the 64 limit", () => {
    expect(createTokenBody.safeParse({ name: "é".repeat(64) }).success).toBe(true);
    expect(createTokenBody.safeParse({ name: "😀".repeat(64) }).success).toBe(true);
    expect(firstMessage(createTokenBody, { name: "😀".repeat(65) })).toBe(MSG.nameTooLong);
  });

  it("defaults scope to admin and leaves the expiry to the service (the policy's default), treating \"\" and null as absent", () => {
    const defaults = { name: "a", description: "", scope: "admin", allowedIps: [], rateLimitPerMinute: 0, canary: false };
    expect(createTokenBody.parse({ name: "a" })).toStrictEqual(defaults);
    expect(createTokenBody.parse({ name: "a", scope: "", expiresAt: null, description: null, rateLimitPerMinute: "", canary: "" })).toEqual(defaults);
  });

  it.each(["abc", "-1", "-0", "1.5", "1e3", "0", "0x2", " 2", "2 ", "", "++2", "99999999999999999999"])("id %j is invalid", (id) => {
    expect(firstMessage(tokenIdParams, { id })).toBe(MSG.idInvalid);
  });

  it.each([
    ["2", 2],
    ["02", 2],
    ["+2", 2],
    ["0042", 42],
  ])("id %j is %d, as Go's strconv.Atoi reads it", (id, expected) => {
    expect(tokenIdParams.parse({ id })).toEqual({ id: expected });
  });

  it("scope and expectedScope are trimmed and lower-cased, as 3x-ui's NormalizeScope does; a blank expectedScope matches nothing", () => {
    expect(createTokenBody.parse({ name: "x", scope: " Monitor " }).scope).toBe("monitor");
    expect(setEnabledBody.parse({ enabled: true, expectedScope: "NODE-SYNC " }).expectedScope).toBe("node-sync");
    expect(setEnabledBody.parse({ enabled: true, expectedScope: "" }).expectedScope).toBeUndefined();
    expect(setEnabledBody.parse({ enabled: true, expectedScope: "  " }).expectedScope).toBe("");
  });

  it("enabled must be a boolean", () => {
    expect(firstMessage(setEnabledBody, { enabled: "yes" })).toBe(MSG.enabledInvalid);
    expect(firstMessage(setEnabledBody, {})).toBe(MSG.enabledInvalid);
    expect(firstMessage(setEnabledBody, { enabled: 1 })).toBe(MSG.enabledInvalid);
    expect(setEnabledBody.parse({ enabled: false })).toEqual({ enabled: false });
  });

  it("expectedScope must be a string when given", () => {
    expect(firstMessage(deleteTokenBody, { expectedScope: 5 })).toBe(MSG.expectedScopeInvalid);
    expect(deleteTokenBody.parse({ expectedScope: "" })).toEqual({});
  });
});

describe("list, setEnabled, delete", () => {
  it("lists views ordered by id, without plaintext or hash", async () => {
    const a = await create({ name: "b-second-name" });
    const b = await create({ name: "a-first-name", scope: "node-sync" });
    const list = await listTokens(t.db);
    expect(list.map((v) => v.id)).toEqual([a.id, b.id]);
    const text = JSON.stringify(list);
    expect(text).not.toContain(a.token);
    expect(text).not.toContain(hashToken(a.token));
    expect(Object.keys(list[0]!).sort()).toEqual([
      "allowedIps",
      "canary",
      "createdAt",
      "description",
      "enabled",
      "expired",
      "expiresAt",
      "expiresSoon",
      "graceUntil",
      "id",
      "lastUsedAt",
      "lastUsedIp",
      "name",
      "policyViolations",
      "prefix",
      "rateLimitPerMinute",
      "reuseDetectedAt",
      "scope",
    ]);
  });

  it("toggles enabled and reports unknown ids", async () => {
    const a = await create({ name: "a" });
    await setTokenEnabled(t.db, { id: a.id, enabled: false }, CTX);
    expect((await listTokens(t.db))[0]!.enabled).toBe(false);
    await setTokenEnabled(t.db, { id: a.id, enabled: true }, CTX);
    expect((await listTokens(t.db))[0]!.enabled).toBe(true);
    expect(await domainError(setTokenEnabled(t.db, { id: 999, enabled: false }, CTX))).toBe(MSG.notFound);
  });

  it("with expectedScope, acts only on a token of exactly that scope (fail closed)", async () => {
    const a = await create({ name: "a", scope: "monitor" });
    expect(await domainError(setTokenEnabled(t.db, { id: a.id, enabled: false, expectedScope: "admin" }, CTX))).toBe(
      MSG.scopeMismatch,
    );
    expect(await domainError(setTokenEnabled(t.db, { id: a.id, enabled: false, expectedScope: "bogus" }, CTX))).toBe(
      MSG.scopeMismatch,
    );
    expect((await listTokens(t.db))[0]!.enabled).toBe(true);
    expect(await domainError(deleteToken(t.db, { id: a.id, expectedScope: "node-sync" }, CTX))).toBe(MSG.scopeMismatch);
    expect(await rowCount()).toBe(1);
    expect(await domainError(deleteToken(t.db, { id: 77, expectedScope: "monitor" }, CTX))).toBe(MSG.notFound);

    await setTokenEnabled(t.db, { id: a.id, enabled: false, expectedScope: "monitor" }, CTX);
    expect((await listTokens(t.db))[0]!.enabled).toBe(false);
    await deleteToken(t.db, { id: a.id, expectedScope: "monitor" }, CTX);
    expect(await rowCount()).toBe(0);
  });

  it("delete removes the row; a second delete is 'token not found'", async () => {
    const a = await create({ name: "a" });
    await deleteToken(t.db, { id: a.id }, CTX);
    expect(await rowCount()).toBe(0);
    expect(await domainError(deleteToken(t.db, { id: a.id }, CTX))).toBe(MSG.notFound);
  });
});

describe("verifyBearerToken", () => {
  it("accepts a live token and returns who it is", async () => {
    const a = await create({ name: "bot", scope: "monitor" });
    expect(await verifyBearerToken(t.db, a.token, at(NOW))).toEqual({ id: a.id, name: "bot", scope: "monitor", rateLimitPerMinute: 0, expiresAt: 0 });
  });

  it("rejects disabled, expired, deleted and unknown tokens alike", async () => {
    const disabled = await create({ name: "d" });
    await setTokenEnabled(t.db, { id: disabled.id, enabled: false }, CTX);
    const expiring = await create({ name: "e", expiresAt: NOW + 1000 });
    const deleted = await create({ name: "x" });
    await deleteToken(t.db, { id: deleted.id }, CTX);
    const body = "Z".repeat(30);

    expect(await verifyBearerToken(t.db, disabled.token, at(NOW))).toBeNull();
    expect(await verifyBearerToken(t.db, expiring.token, at(NOW + 999))).not.toBeNull();
    expect(await verifyBearerToken(t.db, expiring.token, at(NOW + 1000))).toBeNull();
    expect(await verifyBearerToken(t.db, deleted.token, at(NOW))).toBeNull();
    expect(await verifyBearerToken(t.db, `xui_${body}${tokenChecksum(body)}`, at(NOW))).toBeNull();
  });

  it("rejects a bad checksum without touching the database", async () => {
    const a = await create({ name: "a" });
    t.queries.length = 0;
    const broken = a.token.slice(0, -1) + (a.token.endsWith("0") ? "1" : "0");
    expect(await verifyBearerToken(t.db, broken, at(NOW))).toBeNull();
    expect(await verifyBearerToken(t.db, "xui_tooshort", at(NOW))).toBeNull();
    expect(t.queries).toHaveLength(0);
    // A good token does reach the database (the first time; then it is cached).
    expect(await verifyBearerToken(t.db, a.token, at(NOW))).not.toBeNull();
    expect(t.queries.some((q) => q.includes('from "api_tokens"'))).toBe(true);
  });

  it("finds a token by an index lookup on the hash, not a scan", async () => {
    const a = await create({ name: "a" });
    t.queries.length = 0;
    await verifyBearerToken(t.db, a.token, at(NOW));
    // Ask SQLite how it runs the very statement verification issued.
    const statement = t.queries.find((q) => q.startsWith("select") && q.includes('from "api_tokens"'))!;
    const plan = await t.client.execute({ sql: `EXPLAIN QUERY PLAN ${statement}`, args: ["0".repeat(64), "0".repeat(64), 0] });
    const detail = plan.rows.map((r) => String(r.detail));
    // One indexed probe for the current hash, one for a rotated-out hash; never a scan of the table.
    expect(detail.join("\n")).not.toMatch(/SCAN api_tokens/);
    expect(detail.filter((d) => /INDEX api_tokens_token_hash_uq \(token_hash=\?\)/.test(d))).toHaveLength(1);
    expect(detail.filter((d) => /INDEX api_tokens_previous_token_hash_uq \(previous_token_hash=\?\)/.test(d))).toHaveLength(1);
  });

  it("finds imported (non-xui_) tokens by their hash", async () => {
    const legacy = "3xui-legacy-token-0123456789abcdef";
    await t.db.insert(apiTokens).values({ name: "imported", tokenHash: hashToken(legacy), createdAt: 1 });
    expect(await verifyBearerToken(t.db, legacy, at(NOW))).toMatchObject({ name: "imported" });
    const row = await t.db.select().from(apiTokens).where(eq(apiTokens.name, "imported")).get();
    expect(row?.prefix).toBe("");
  });
});
