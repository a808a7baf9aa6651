import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq, gt } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import { auditEvents, type AuditAction } from "@/db/schema/audit-events";
import { ANONYMOUS, systemContext, type AuditContext } from "@/lib/audit/context";
import { auditTokensWhere } from "@/lib/audit/record";
import { hashToken } from "@/lib/tokens/format";
import * as generation from "@/lib/tokens/generation";
import * as importer from "@/lib/tokens/import-3x-ui";
import { createTokenBody, updateTokenBody } from "@/lib/tokens/schemas";
import * as service from "@/lib/tokens/service";
import * as write from "@/lib/tokens/write";
import { openTestDb, type TestDb } from "../support/db";
import { xuiPlaintext } from "../support/xui-fixture";

/**
 * Every instance caches verified tokens with no TTL and notices changes only
 * through the token generation, so every path that writes api_tokens must bump
 * it (and audit) in the change's own transaction. These tests run each such
 * path for real and fail if one skips the bump, audits outside the batch, or
 * leaves another instance's cache stale; a source scan catches a new path that
 * bypasses lib/tokens/write.ts altogether.
 */

let t: TestDb;
/** A second connection pool on the same file: another panel instance with its own cache. */
let other: DatabaseHandle;
beforeEach(async () => {
  t = await openTestDb();
  other = openDatabase(t.url);
});
afterEach(() => {
  other.close();
  t.cleanup();
});

const CTX: AuditContext = { actor: { type: "session", id: 1, name: "admin" }, ip: "198.51.100.1" };
const IP = "203.0.113.1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const create = (name: string) => service.createToken(t.db, createTokenBody.parse({ name }), CTX);
const nameSeenBy = async (db: DatabaseHandle["db"], token: string) =>
  (await service.verifyBearerToken(db, token, { ip: IP }))?.name ?? null;

interface Observed {
  generationDelta: number;
  /** SQL of each statement, per `client.batch` call made by the write. */
  batches: string[][];
  /** Writes to the token tables made outside a batch. */
  looseWrites: string[];
  auditActions: AuditAction[];
}

interface Harness {
  /** Presents `token` to both instances, so each holds an answer for it before the write. */
  warm(token: string): Promise<void>;
  /** Runs the write under observation; exactly once per case. */
  write<T>(run: () => Promise<T>): Promise<T>;
}

interface WriteCase {
  name: string;
  writer: keyof typeof service | keyof typeof importer;
  action: AuditAction;
  /** Sets up, writes, and says what a bearer of `probe` must get afterwards (its token's name, or refused). */
  run(h: Harness): Promise<{ probe: string; answer: string | null }>;
}

/**
 * The usual case: a fresh token named `name`, known to both instances, then
 * one write on it; afterwards a bearer of it gets `answer` (a name, or refused).
 */
function onToken(
  name: string,
  writer: WriteCase["writer"],
  action: AuditAction,
  change: (token: { id: number; token: string }) => Promise<unknown>,
  answer: string | null,
  setup?: (token: { id: number; token: string }) => Promise<unknown>,
): WriteCase {
  return {
    name,
    writer,
    action,
    async run(h) {
      const a = await create(`${writer}-${action}`);
      await setup?.(a);
      await h.warm(a.token);
      await h.write(() => change(a));
      return { probe: a.token, answer };
    },
  };
}

const cases: WriteCase[] = [
  {
    name: "createToken",
    writer: "createToken",
    action: "token.create",
    async run(h) {
      const created = await h.write(() => create("fresh"));
      return { probe: created.token, answer: "fresh" };
    },
  },
  onToken("setTokenEnabled (disable)", "setTokenEnabled", "token.disable", (a) => service.setTokenEnabled(t.db, { id: a.id, enabled: false }, CTX), null),
  onToken(
    "setTokenEnabled (enable)",
    "setTokenEnabled",
    "token.enable",
    (a) => service.setTokenEnabled(t.db, { id: a.id, enabled: true }, CTX),
    "setTokenEnabled-token.enable",
    (a) => service.setTokenEnabled(t.db, { id: a.id, enabled: false }, CTX),
  ),
  onToken("deleteToken", "deleteToken", "token.delete", (a) => service.deleteToken(t.db, { id: a.id }, CTX), null),
  onToken("updateToken", "updateToken", "token.update", (a) => service.updateToken(t.db, a.id, updateTokenBody.parse({ name: "new-name" }), CTX), "new-name"),
  onToken("rotateToken", "rotateToken", "token.rotate", (a) => service.rotateToken(t.db, a.id, { graceSeconds: 0 }, CTX), null),
  onToken(
    "revokeLeakedTokens",
    "revokeLeakedTokens",
    "token.leak_revoke",
    (a) => service.revokeLeakedTokens(t.db, [a.token], { actor: ANONYMOUS, ip: "192.0.2.9" }),
    null,
  ),
  {
    name: "importXuiTokens",
    writer: "importXuiTokens",
    action: "token.create",
    async run(h) {
      const plaintext = xuiPlaintext();
      await h.warm(plaintext); // presented before the import: cached as unknown
      await h.write(() => importer.importXuiTokens(t.db, [{ name: "imported", token: hashToken(plaintext) }], systemContext("cli")));
      return { probe: plaintext, answer: "imported" };
    },
  },
];

function sqlOf(statement: unknown): string {
  const text = typeof statement === "string" ? statement : Array.isArray(statement) ? statement[0] : (statement as { sql: string }).sql;
  return String(text).trim();
}

const writesTo = (table: string) => new RegExp(`^(insert into|update|delete from) "${table}"`, "i");

async function observe(run: (h: Harness) => Promise<{ probe: string; answer: string | null }>) {
  let observed: Observed | undefined;
  const harness: Harness = {
    async warm(token) {
      await nameSeenBy(t.db, token);
      await nameSeenBy(other.db, token);
    },
    async write(fn) {
      expect(observed, "one write per case").toBeUndefined();
      const before = await generation.readTokenGeneration(t.db);
      const lastAudit = (await t.db.select({ id: auditEvents.id }).from(auditEvents).all()).reduce((m, r) => Math.max(m, r.id), 0);
      const batch = vi.spyOn(t.client, "batch");
      t.queries.length = 0;
      try {
        const result = await fn();
        observed = {
          generationDelta: (await generation.readTokenGeneration(t.db)) - before,
          batches: batch.mock.calls.map(([statements]) => statements.map(sqlOf)),
          looseWrites: t.queries.filter(
            (q) => /^(insert|update|delete)/i.test(q) && !q.includes('"last_used_at"') && /api_tokens|audit_events|token_state/.test(q),
          ),
          auditActions: (await t.db.select().from(auditEvents).where(gt(auditEvents.id, lastAudit))).map((r) => r.action),
        };
        return result;
      } finally {
        batch.mockRestore();
      }
    },
  };
  const outcome = await run(harness);
  expect(observed, "the case must call h.write").toBeDefined();
  return { ...outcome, observed: observed! };
}

describe("every token write path", () => {
  it.each(cases)("$name: one batch with the change, its audit and exactly one generation bump", async (c) => {
    const { observed } = await observe((h) => c.run(h));
    expect(observed.generationDelta).toBe(1);
    expect(observed.looseWrites).toEqual([]);
    expect(observed.batches).toHaveLength(1);
    const statements = observed.batches[0]!;
    expect(statements.filter((s) => writesTo("api_tokens").test(s)).length).toBeGreaterThan(0);
    expect(statements.filter((s) => writesTo("audit_events").test(s)).length).toBeGreaterThan(0);
    expect(statements.filter((s) => writesTo("token_state").test(s))).toHaveLength(1);
    expect(observed.auditActions).toEqual([c.action]);
  });

  it.each(cases)("$name: this instance sees the change at once, another one within the poll interval", async (c) => {
    const { probe, answer } = await observe((h) => c.run(h));
    expect(await nameSeenBy(t.db, probe)).toBe(answer);
    const started = Date.now();
    for (;;) {
      const seen = await nameSeenBy(other.db, probe);
      if (seen === answer || Date.now() - started > 1000) {
        expect(seen).toBe(answer);
        break;
      }
      await sleep(20);
    }
  });

  it("covers every exported writer of the service and the import", () => {
    const reads = new Set(["viewOf", "listTokens", "getToken", "verifyBearerToken"]);
    const writers = [...Object.entries(service), ...Object.entries(importer)]
      .filter(([name, value]) => typeof value === "function" && !reads.has(name))
      .map(([name]) => name);
    expect(new Set(cases.map((c) => c.writer))).toEqual(new Set(writers));
  });
});

describe("writeTokenChange", () => {
  it("commits the change, its audit and the bump together or not at all", async () => {
    const a = await create("kept");
    await t.client.execute("CREATE TRIGGER refuse_bump BEFORE UPDATE ON token_state BEGIN SELECT RAISE(ABORT, 'refused'); END");
    await expect(service.deleteToken(t.db, { id: a.id }, CTX)).rejects.toThrow(/refused/);
    expect((await service.listTokens(t.db)).map((v) => v.name)).toEqual(["kept"]);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.action, "token.delete"))).toEqual([]);
  });

  it("requires an audit, by type", async () => {
    const change = t.db.delete(apiTokens).where(eq(apiTokens.id, 0)).returning({ id: apiTokens.id });
    const audit = auditTokensWhere(t.db, CTX, "token.delete", eq(apiTokens.id, 0), Date.now());
    // Type-checked by tsc, never run.
    const _refused = () => [
      // @ts-expect-error -- no audit
      write.writeTokenChange(t.db, { change }),
      // @ts-expect-error -- the audit goes before or after, not both
      write.writeTokenChange(t.db, { auditBefore: audit, change, auditAfter: audit }),
    ];
    const { rows } = await write.writeTokenChange(t.db, { auditBefore: audit, change });
    expect(rows).toEqual([]);
  });

  it("is the only one that can bump the generation", () => {
    expect(Object.keys(write).sort()).toEqual(["writeTokenChange", "writeTokenChanges"]);
    expect(Object.keys(generation)).toEqual(["readTokenGeneration"]);
  });
});

describe("source guard", () => {
  const ROOT = path.resolve(__dirname, "..", "..");
  const HELPER = "lib/tokens/write.ts";

  function sources(dir: string): string[] {
    return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return sources(rel);
      return /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [rel] : [];
    });
  }

  const files = ["lib", "cli", "app", "db"].flatMap(sources).map((file) => ({ file, text: readFileSync(path.join(ROOT, file), "utf8") }));
  const where = (file: string, text: string, index: number) =>
    `${file}:${text.slice(0, index).split("\n").length}: ${text.slice(index, index + 60).split("\n")[0]}`;

  it("finds the token writers it guards", () => {
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(["lib/tokens/service.ts", "lib/tokens/import-3x-ui.ts", HELPER]));
  });

  it("sends every api_tokens write through the helper (lastUsedAt telemetry aside)", () => {
    const offenders: string[] = [];
    for (const { file, text } of files) {
      for (const m of text.matchAll(/\.(insert|update|delete)\(\s*apiTokens\s*\)/g)) {
        const asChange = /change:\s*\w+\s*$/.test(text.slice(Math.max(0, m.index - 40), m.index)) && /writeTokenChanges?\(/.test(text);
        // noteUse, noteReuse and the name-key backfill: only columns verification never reads.
        const telemetry = /^\.update\(apiTokens\)\s*\.set\(\{\s*(lastUsedAt:\s*\w+,\s*lastUsedIp:\s*\w+|reuseDetectedAt:\s*\w+|nameKey:\s*sql`[^`]*`),?\s*\}\)/.test(
          text.slice(m.index),
        );
        if (!asChange && !telemetry) offenders.push(where(file, text, m.index));
      }
      for (const m of text.matchAll(/\b(insert\s+(or\s+\w+\s+)?into|replace\s+into|update|delete\s+from)\s+([`"']?api_tokens\b|\$\{\s*apiTokens\s*\})/gi)) {
        offenders.push(where(file, text, m.index));
      }
    }
    expect(offenders).toEqual([]);
  });

  it("bumps the generation nowhere else", () => {
    const offenders: string[] = [];
    for (const { file, text } of files) {
      if (file === HELPER) continue;
      for (const m of text.matchAll(/\.(insert|update|delete)\(\s*tokenState\s*\)|\b(insert\s+(or\s+\w+\s+)?into|replace\s+into|update|delete\s+from)\s+([`"']?token_state\b|\$\{\s*tokenState\s*\})/gi)) {
        offenders.push(where(file, text, m.index));
      }
    }
    expect(offenders).toEqual([]);
  });
});
