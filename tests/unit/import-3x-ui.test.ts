import { systemContext } from "@/lib/audit/context";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashToken, mintToken, tokenChecksum } from "@/lib/tokens/format";
import { IMPORT_MSG, importXuiTokens } from "@/lib/tokens/import-3x-ui";
import { createTokenBody, MSG } from "@/lib/tokens/schemas";
import { createToken, listTokens, verifyBearerToken } from "@/lib/tokens/service";
import { openTestDb, type TestDb } from "../support/db";
import { buildXuiDatabase, readXuiRows, xuiPlaintext, type XuiToken } from "../support/xui-fixture";

const NOW = 1_800_000_000_000;
let t: TestDb;
let dir: string;
beforeEach(async () => {
  t = await openTestDb();
  dir = mkdtempSync(path.join(os.tmpdir(), "xui-import-"));
});
afterEach(() => {
  t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Builds a 3x-ui file from `tokens`, reads it back as the CLI does, imports it. */
async function importFixture(tokens: XuiToken[], options: { legacy?: boolean } = {}) {
  const file = path.join(dir, `x-ui-${Math.random().toString(36).slice(2)}.db`);
  await buildXuiDatabase(file, tokens, options);
  return importXuiTokens(t.db, await readXuiRows(file), CTX, NOW);
}

const CTX = systemContext("test");

describe("importXuiTokens", () => {
  it("keeps the hashes: every bot's 3x-ui plaintext authenticates afterwards, with its scope, state and dates", async () => {
    const bot = xuiPlaintext();
    const grafana = xuiPlaintext();
    const off = xuiPlaintext();
    const report = await importFixture([
      { name: "central-panel-a", plaintext: bot, created_at: 1_736_000_000 },
      { name: "grafana", plaintext: grafana, scope: "monitor", expires_at: NOW + 86_400_000 },
      { name: "retired", plaintext: off, enabled: 0 },
    ]);
    expect(report.skipped).toEqual([]);
    expect(report.imported.map((i) => i.name)).toEqual(["central-panel-a", "grafana", "retired"]);

    expect(await verifyBearerToken(t.db, bot, { ip: "127.0.0.1", now: NOW })).toEqual({ id: report.imported[0]!.id, name: "central-panel-a", scope: "admin", rateLimitPerMinute: 0, expiresAt: 0 });
    expect(await verifyBearerToken(t.db, grafana, { ip: "127.0.0.1", now: NOW })).toMatchObject({ name: "grafana", scope: "monitor" });
    expect(await verifyBearerToken(t.db, grafana, { ip: "127.0.0.1", now: NOW + 86_400_000 })).toBeNull();
    expect(await verifyBearerToken(t.db, off, { ip: "127.0.0.1", now: NOW })).toBeNull();

    const views = await listTokens(t.db, NOW);
    expect(views.map(({ id, name, enabled, createdAt, scope, expiresAt, prefix }) => ({ id, name, enabled, createdAt, scope, expiresAt, prefix }))).toEqual([
      { id: 1, name: "central-panel-a", enabled: true, createdAt: 1_736_000_000, scope: "admin", expiresAt: 0, prefix: "" },
      { id: 2, name: "grafana", enabled: true, createdAt: 1_736_000_000, scope: "monitor", expiresAt: NOW + 86_400_000, prefix: "" },
      { id: 3, name: "retired", enabled: false, createdAt: 1_736_000_000, scope: "admin", expiresAt: 0, prefix: "" },
    ]);
    // Only hashes are stored, never anything reversible.
    const stored = JSON.stringify((await t.client.execute("SELECT * FROM api_tokens")).rows);
    for (const plain of [bot, grafana, off]) expect(stored).not.toContain(plain);
  });

  it("reads an older 3x-ui without scope/expires_at as full-admin, never-expiring tokens", async () => {
    const plaintext = xuiPlaintext();
    const report = await importFixture([{ name: "old", plaintext }], { legacy: true });
    expect(report.imported).toHaveLength(1);
    expect(await verifyBearerToken(t.db, plaintext, { ip: "127.0.0.1", now: NOW })).toMatchObject({ name: "old", scope: "admin" });
    expect((await listTokens(t.db))[0]).toMatchObject({ scope: "admin", expiresAt: 0 });
  });

  it("accepts an upper-case hash, created_at in milliseconds, and a missing created_at", async () => {
    const plaintext = xuiPlaintext();
    const report = await importFixture([
      { name: "upper", token: hashToken(plaintext).toUpperCase(), created_at: 1_736_000_000_123 },
      { name: "undated", created_at: null },
    ]);
    expect(report.skipped).toEqual([]);
    expect(await verifyBearerToken(t.db, plaintext, { ip: "127.0.0.1", now: NOW })).toMatchObject({ name: "upper" });
    const [upper, undated] = await listTokens(t.db);
    expect(upper!.createdAt).toBe(1_736_000_000);
    expect(undated!.createdAt).toBe(NOW / 1000);
  });

  it("reports and skips names that are taken, leaving the existing token untouched", async () => {
    const ours = await createToken(t.db, createTokenBody.parse({ name: "central-panel-a" }), CTX, NOW);
    const theirs = xuiPlaintext();
    const other = xuiPlaintext();
    const report = await importFixture([
      { name: "central-panel-a", plaintext: theirs },
      { name: "another", plaintext: other },
    ]);
    expect(report.skipped).toEqual([{ name: "central-panel-a", reason: MSG.nameTaken }]);
    expect(report.imported.map((i) => i.name)).toEqual(["another"]);
    expect(await verifyBearerToken(t.db, ours.token, { ip: "127.0.0.1", now: NOW })).toMatchObject({ id: ours.id, name: "central-panel-a" });
    expect(await verifyBearerToken(t.db, theirs, { ip: "127.0.0.1", now: NOW })).toBeNull();
    expect(await verifyBearerToken(t.db, other, { ip: "127.0.0.1", now: NOW })).toMatchObject({ name: "another" });
  });

  it("is safe to run twice: the second run imports nothing and says why", async () => {
    const tokens = [{ name: "a", plaintext: xuiPlaintext() }, { name: "b", plaintext: xuiPlaintext() }];
    const file = path.join(dir, "x-ui.db");
    await buildXuiDatabase(file, tokens);
    const rows = await readXuiRows(file);
    expect((await importXuiTokens(t.db, rows, CTX, NOW)).imported).toHaveLength(2);
    const again = await importXuiTokens(t.db, rows, CTX, NOW);
    expect(again.imported).toEqual([]);
    expect(again.skipped).toEqual([
      { name: "a", reason: IMPORT_MSG.alreadyPresent },
      { name: "b", reason: IMPORT_MSG.alreadyPresent },
    ]);
    expect(await listTokens(t.db)).toHaveLength(2);
  });

  it("validates each row: bad hashes, unknown scopes and unusable names are reported and skipped, the rest imported", async () => {
    const good = xuiPlaintext();
    const report = await importFixture([
      { name: "short-hash", token: "ab".repeat(31) },
      { name: "not-hex", token: "zz".repeat(32) },
      { name: "plaintext-not-hash", token: "some-plaintext-token-value" },
      { name: "root", scope: "root" },
      { name: "x".repeat(65) },
      { name: "   " },
      { name: "weird-enabled", enabled: 7 },
      { name: "negative-expiry", expires_at: -5 },
      { name: "good", plaintext: good },
    ]);
    expect(report.skipped).toEqual([
      { name: "short-hash", reason: IMPORT_MSG.hashInvalid },
      { name: "not-hex", reason: IMPORT_MSG.hashInvalid },
      { name: "plaintext-not-hash", reason: IMPORT_MSG.hashInvalid },
      { name: "root", reason: MSG.scopeInvalid },
      { name: "x".repeat(65), reason: MSG.nameTooLong },
      { name: "row 6", reason: MSG.nameRequired },
      { name: "weird-enabled", reason: IMPORT_MSG.enabledInvalid },
      { name: "negative-expiry", reason: MSG.expiresAtInvalid },
    ]);
    expect(report.imported.map((i) => i.name)).toEqual(["good"]);
    expect(await verifyBearerToken(t.db, good, { ip: "127.0.0.1", now: NOW })).toMatchObject({ name: "good" });
  });

  it("marks tokens that had already expired in 3x-ui (imported as they were, still refused)", async () => {
    const plaintext = xuiPlaintext();
    const report = await importFixture([{ name: "stale", plaintext, expires_at: NOW - 1 }]);
    expect(report.imported).toEqual([{ id: 1, name: "stale", expired: true }]);
    expect(await verifyBearerToken(t.db, plaintext, { ip: "127.0.0.1", now: NOW })).toBeNull();
  });

  it("runs in one transaction: when one insert fails, none of the rows is imported", async () => {
    // A real failure inside the batch, raised by the database itself.
    await t.client.execute(
      "CREATE TRIGGER refuse_boom BEFORE INSERT ON api_tokens WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END",
    );
    const first = xuiPlaintext();
    await expect(importFixture([{ name: "first", plaintext: first }, { name: "boom" }, { name: "last" }])).rejects.toThrow();
    expect(await listTokens(t.db)).toEqual([]);
    expect(await verifyBearerToken(t.db, first, { ip: "127.0.0.1", now: NOW })).toBeNull();
  });

  it("does nothing for an empty table", async () => {
    expect(await importFixture([])).toEqual({ imported: [], skipped: [] });
  });
});

describe("verification of imported tokens", () => {
  it("still rejects an xui_ token with a bad checksum before the database, even if its hash was imported", async () => {
    const valid = mintToken().plaintext;
    const body = valid.slice(4, 34);
    const badChecksum = `xui_${body}${tokenChecksum(body) === "000000" ? "000001" : "000000"}`;
    await importFixture([
      { name: "bad-checksum", plaintext: badChecksum },
      { name: "valid-xui", plaintext: valid },
    ]);
    t.queries.length = 0;
    expect(await verifyBearerToken(t.db, badChecksum, { ip: "127.0.0.1", now: NOW })).toBeNull();
    expect(t.queries).toEqual([]);
    expect(await verifyBearerToken(t.db, valid, { ip: "127.0.0.1", now: NOW })).toMatchObject({ name: "valid-xui" });
    expect(t.queries.filter((q) => q.includes('"token_hash" = ?'))).toHaveLength(1);
  });
});
