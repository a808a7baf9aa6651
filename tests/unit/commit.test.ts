import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiTokens } from "@/db/schema/api-tokens";
import { openDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { commit, readWriteSequence, untilVisible } from "@/lib/db/commit";
import { openTestDb, type TestDb } from "../support/db";
import { freePort } from "../support/process";
import { ensureSqld, startSqld } from "../support/sqld";

/**
 * lib/db/commit.ts: the acknowledged writes' one way in. Its wait for a
 * lagging replica is exercised against a real sqld replica in
 * tests/reliability/replicas.test.ts; here, what it commits.
 */
let t: TestDb;
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(() => t.cleanup());

const insert = (name: string) =>
  t.db.insert(apiTokens).values({ name, tokenHash: name.padEnd(64, "0") }).returning({ id: apiTokens.id, name: apiTokens.name });

describe("commit", () => {
  it("returns each statement's result in order, and the write sequence goes up by one per commit", async () => {
    expect(await readWriteSequence(t.db)).toBe(0);
    const [a, b] = (await commit(t.db, [insert("a"), insert("b")])) as { name: string }[][];
    expect([a![0]!.name, b![0]!.name]).toEqual(["a", "b"]);
    expect(await readWriteSequence(t.db)).toBe(1);
    await commit(t.db, [insert("c")]);
    expect(await readWriteSequence(t.db)).toBe(2);
  });

  it("commits nothing, the sequence included, when a statement fails", async () => {
    await commit(t.db, [insert("taken")]);
    await expect(commit(t.db, [insert("fresh"), insert("taken")])).rejects.toThrow(/UNIQUE/);
    expect((await t.db.select({ name: apiTokens.name }).from(apiTokens)).map((r) => r.name)).toEqual(["taken"]);
    expect(await readWriteSequence(t.db)).toBe(1);
  });
});

describe("waiting for the database this process reads from", () => {
  it("on a libSQL server: seen at once after its own commit, late past the bound, unknown when unreachable; never an error", async (ctx) => {
    const found = ensureSqld();
    if ("skipReason" in found) return ctx.skip(`sqld unavailable: ${found.skipReason}`);
    const sqld = await startSqld(found.binary);
    const handle = openDatabase(sqld.url);
    const closed = openDatabase(`http://127.0.0.1:${await freePort()}`);
    try {
      await migrateDatabase(handle);
      await commit(handle.db, [handle.db.insert(apiTokens).values({ name: "s", tokenHash: "s".padEnd(64, "0") })]);
      const seq = await readWriteSequence(handle.db);
      expect(seq).toBe(1);
      expect(await untilVisible(handle.db, seq)).toBe("seen");
      const started = performance.now();
      expect(await untilVisible(handle.db, seq + 1, 200)).toBe("late");
      expect(performance.now() - started).toBeGreaterThanOrEqual(200);
      expect(await untilVisible(closed.db, 1)).toBe("unknown");
    } finally {
      closed.close();
      handle.close();
      await sqld.stop();
    }
  });
});

describe("source guard", () => {
  const ROOT = path.resolve(__dirname, "..", "..");
  function sources(dir: string): string[] {
    return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return sources(rel);
      return /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [rel] : [];
    });
  }

  it("batches only in lib/db (commit for what is acknowledged) and for the throttle counters in lib/rate-limit", () => {
    const offenders: string[] = [];
    for (const file of ["lib", "cli", "app", "db"].flatMap(sources)) {
      // Code only: comments may name what they are about.
      const text = readFileSync(path.join(ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      const counters = file.startsWith("lib/rate-limit/");
      if (/\bdb\.batch\(/.test(text) && !counters && !["lib/db/commit.ts", "lib/db/batch.ts"].includes(file)) offenders.push(`${file}: db.batch`);
      if (/\brunBatch\(/.test(text) && !counters && file !== "lib/db/batch.ts") offenders.push(`${file}: runBatch`);
    }
    expect(offenders).toEqual([]);
  });

  it("code that ends sessions commits through lib/auth/session-ends.ts (the session generation goes up with it)", () => {
    const offenders: string[] = [];
    for (const file of ["lib", "cli", "app", "db"].flatMap(sources)) {
      const text = readFileSync(path.join(ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      // lib/auth/sessions.ts deletes only sessions past their end, which every instance refuses by the clock.
      if (/\.delete\(sessions\)|\bsessionDeletion\(/.test(text) && !/commitSessionChanges\(/.test(text) && file !== "lib/auth/sessions.ts") offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
