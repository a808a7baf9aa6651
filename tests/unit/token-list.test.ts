import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPIRY_NEVER_SORT_KEY } from "@/db/schema/constants";
import { LIST_MSG, listTokenPage, tokenListQuery, type TokenListOptions } from "@/lib/tokens/list";
import { TOKEN_SORTS, type TokenSort } from "@/lib/tokens/list-options";
import type { TokenView } from "@/lib/tokens/schemas";
import { openTestDb, type TestDb } from "../support/db";

/**
 * The paged list on a real libSQL file: every sort in both directions pages
 * through exactly the rows a plain sort gives (forward and back), the filters
 * select what the contract says, cursors are bound to their listing, and each
 * sort is an index scan (EXPLAIN QUERY PLAN), never a sort of the whole table.
 */

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
let t: TestDb;

/** 240 tokens with many ties (created_at, last_used_at, expiry) so the id tie-break matters. */
function seedRows() {
  return Array.from({ length: 240 }, (_, i) => {
    const id = i + 1;
    const expiresAt = [0, NOW - DAY, NOW + 2 * DAY, NOW + 30 * DAY, 0, NOW + 2 * DAY][i % 6]!;
    return {
      id,
      // Mixed case, so a case-insensitive order differs from a binary one.
      name: `${i % 2 ? "Bot" : "bot"}-${String((i * 37) % 240).padStart(3, "0")}`,
      prefix: `xui_${["AbCd", "abcd", "Zz00", "Q1w2"][i % 4]}`,
      enabled: i % 5 !== 0,
      scope: (["admin", "monitor", "node-sync"] as const)[i % 3]!,
      expiresAt,
      createdAt: 1_700_000_000 + Math.floor(i / 7),
      lastUsedAt: i % 4 === 0 ? 0 : 1_750_000_000 + (i % 9),
    };
  });
}
type Seed = ReturnType<typeof seedRows>[number];
let seeded: Seed[];

beforeAll(async () => {
  t = await openTestDb();
  seeded = seedRows();
  await t.client.batch(
    seeded.map((r) => ({
      sql: "INSERT INTO api_tokens (id, name, token_hash, prefix, enabled, scope, expires_at, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      args: [r.id, r.name, `hash-${r.id}`, r.prefix, r.enabled ? 1 : 0, r.scope, r.expiresAt, r.createdAt, r.lastUsedAt],
    })),
    "write",
  );
});
afterAll(() => t.cleanup());

function options(params: Record<string, string>): TokenListOptions {
  const parsed = tokenListQuery.parse(params);
  if (!parsed.paged) throw new Error("expected a paged query");
  return parsed;
}

/** What a plain in-memory sort says the order is. */
function expectedOrder(sort: TokenSort): number[] {
  const descending = sort.startsWith("-");
  const key = (descending ? sort.slice(1) : sort) as (typeof TOKEN_SORTS)[number];
  const keyOf = (r: Seed): string | number =>
    key === "name" ? r.name.toLowerCase() : key === "created" ? r.createdAt : key === "lastUsed" ? r.lastUsedAt : r.expiresAt || EXPIRY_NEVER_SORT_KEY;
  const sorted = [...seeded].sort((a, b) => {
    const [ka, kb] = [keyOf(a), keyOf(b)];
    return ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
  });
  if (descending) sorted.reverse();
  return sorted.map((r) => r.id);
}

async function walk(params: Record<string, string>): Promise<{ forward: number[][]; backward: number[][]; totals: number[] }> {
  const forward: number[][] = [];
  const totals: number[] = [];
  let page = await listTokenPage(t.db, options(params), NOW);
  expect(page.prevCursor).toBeNull();
  for (;;) {
    forward.push(page.items.map((v) => v.id));
    totals.push(page.total);
    // A cursor that does not advance would page forever: fail instead.
    if (forward.length > seeded.length) throw new Error("paging does not end");
    if (!page.nextCursor) break;
    page = await listTokenPage(t.db, options({ ...params, cursor: page.nextCursor }), NOW);
    expect(page.prevCursor).not.toBeNull();
  }
  const backward: number[][] = [page.items.map((v) => v.id)];
  while (page.prevCursor) {
    page = await listTokenPage(t.db, options({ ...params, cursor: page.prevCursor }), NOW);
    backward.unshift(page.items.map((v) => v.id));
    if (backward.length > seeded.length) throw new Error("paging back does not end");
  }
  return { forward, backward, totals };
}

describe("paging", () => {
  const sorts = TOKEN_SORTS.flatMap((s): TokenSort[] => [s, `-${s}`]);

  it.each(sorts)("sort=%s pages through every token once, in order, forward and back", async (sort) => {
    const { forward, backward, totals } = await walk({ sort, limit: "37" });
    expect(forward.flat()).toEqual(expectedOrder(sort));
    expect(forward.slice(0, -1).every((p) => p.length === 37)).toBe(true);
    expect(backward).toEqual(forward);
    expect(new Set(totals)).toEqual(new Set([240]));
  });

  it("defaults: 50 per page, newest first (-created)", async () => {
    const page = await listTokenPage(t.db, options({ q: "" }), NOW);
    expect(page.items.map((v) => v.id)).toEqual(expectedOrder("-created").slice(0, 50));
    expect(page.total).toBe(240);
  });

  it("a page past the last row has no next, and a previous page from where it stood", async () => {
    const last = await listTokenPage(t.db, options({ sort: "created", limit: "200" }), NOW);
    const rest = await listTokenPage(t.db, options({ sort: "created", limit: "200", cursor: last.nextCursor! }), NOW);
    expect(rest.items).toHaveLength(40);
    expect(rest.nextCursor).toBeNull();
    const back = await listTokenPage(t.db, options({ sort: "created", limit: "200", cursor: rest.prevCursor! }), NOW);
    expect(back.items.map((v) => v.id)).toEqual(last.items.map((v) => v.id));
    expect(back.prevCursor).toBeNull();
  });
});

describe("filters", () => {
  const ids = async (params: Record<string, string>) => {
    const { forward, totals } = await walk({ ...params, sort: "created", limit: "200" });
    expect(totals[0]).toBe(forward.flat().length);
    return forward.flat().sort((a, b) => a - b);
  };
  const where = (pick: (r: Seed) => boolean) => seeded.filter(pick).map((r) => r.id);

  it("q: a case-insensitive part of the name, or the start of the prefix", async () => {
    expect(await ids({ q: "BOT-00" })).toEqual(where((r) => r.name.toLowerCase().includes("bot-00")));
    expect(await ids({ q: "  t-12  " })).toEqual(where((r) => r.name.includes("t-12")));
    // Prefixes are base62: case counts there.
    expect(await ids({ q: "xui_AbC" })).toEqual(where((r) => r.prefix.startsWith("xui_AbC")));
    expect(await ids({ q: "xui_abc" })).toEqual(where((r) => r.prefix.startsWith("xui_abc")));
    // LIKE wildcards in q are literal text.
    expect(await ids({ q: "%" })).toEqual([]);
    expect(await ids({ q: "_" })).toEqual([]);
  });

  it("scope and status, alone and together", async () => {
    expect(await ids({ scope: "monitor" })).toEqual(where((r) => r.scope === "monitor"));
    expect(await ids({ scope: " Node-Sync " })).toEqual(where((r) => r.scope === "node-sync"));
    const expired = (r: Seed) => r.expiresAt !== 0 && r.expiresAt <= NOW;
    expect(await ids({ status: "enabled" })).toEqual(where((r) => r.enabled && !expired(r)));
    expect(await ids({ status: "disabled" })).toEqual(where((r) => !r.enabled));
    expect(await ids({ status: "expired" })).toEqual(where(expired));
    expect(await ids({ status: "expiring" })).toEqual(where((r) => r.enabled && r.expiresAt > NOW && r.expiresAt <= NOW + 7 * DAY));
    expect(await ids({ status: "expired", scope: "admin", q: "bot" })).toEqual(
      where((r) => expired(r) && r.scope === "admin" && r.name.toLowerCase().includes("bot")),
    );
  });

  it("views say expired and expiresSoon by the same clock", async () => {
    const page = await listTokenPage(t.db, options({ status: "expired", limit: "200" }), NOW);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((v: TokenView) => v.expired && !v.expiresSoon)).toBe(true);
    const soon = await listTokenPage(t.db, options({ status: "expiring", limit: "200" }), NOW);
    expect(soon.items.every((v) => v.expiresSoon && !v.expired && v.enabled)).toBe(true);
  });
});

describe("query parameters", () => {
  const message = (params: Record<string, string>) => tokenListQuery.safeParse(params).error?.issues[0]?.message;

  it("no parameter at all is the peer's full list; any one, even empty, is a page", () => {
    expect(tokenListQuery.parse({})).toEqual({ paged: false });
    expect(tokenListQuery.parse({ unrelated: "1" })).toEqual({ paged: false });
    for (const name of ["limit", "cursor", "q", "scope", "status", "sort"]) {
      expect(tokenListQuery.parse({ [name]: "" }), name).toMatchObject({ paged: true, limit: 50, sort: { key: "created", descending: true } });
    }
  });

  it.each([
    [{ limit: "0" }, LIST_MSG.limit],
    [{ limit: "201" }, LIST_MSG.limit],
    [{ limit: "1.5" }, LIST_MSG.limit],
    [{ limit: "-1" }, LIST_MSG.limit],
    [{ limit: "1e2" }, LIST_MSG.limit],
    [{ limit: "abc" }, LIST_MSG.limit],
    [{ limit: "9".repeat(400) }, LIST_MSG.limit],
    [{ q: "x".repeat(101) }, LIST_MSG.q],
    [{ scope: "root" }, LIST_MSG.scope],
    [{ status: "ENABLED" }, LIST_MSG.status],
    [{ status: "active" }, LIST_MSG.status],
    [{ sort: "id" }, LIST_MSG.sort],
    [{ sort: "--name" }, LIST_MSG.sort],
    [{ sort: "+name" }, LIST_MSG.sort],
    [{ cursor: "not a cursor" }, LIST_MSG.cursor],
    [{ cursor: "W10" }, LIST_MSG.cursor],
    [{ cursor: Buffer.from("{}").toString("base64url") }, LIST_MSG.cursor],
    [{ cursor: "A".repeat(5000) }, LIST_MSG.cursor],
  ])("%j → %s", (params, msg) => {
    expect(message(params)).toBe(msg);
  });

  it("a cursor works only for the sort and filters it was made for", async () => {
    const page = await listTokenPage(t.db, options({ sort: "name", q: "bot", limit: "5" }), NOW);
    const cursor = page.nextCursor!;
    expect(tokenListQuery.safeParse({ sort: "name", q: "bot", cursor }).success).toBe(true);
    expect(tokenListQuery.safeParse({ sort: "name", q: "bot", limit: "9", cursor }).success).toBe(true);
    for (const other of [{ sort: "-name" }, { sort: "created" }, { q: "bo" }, { scope: "admin" }, { status: "enabled" }] as Record<string, string>[]) {
      expect(message({ sort: "name", q: "bot", cursor, ...other }), JSON.stringify(other)).toBe(LIST_MSG.cursor);
    }
    // Tampered: another key type for this sort, or an edited fingerprint.
    const parts = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    const forged = (p: unknown[]) => Buffer.from(JSON.stringify(p)).toString("base64url");
    expect(message({ sort: "name", q: "bot", cursor: forged([parts[0], parts[1], 7, parts[3]]) })).toBe(LIST_MSG.cursor);
    expect(message({ sort: "name", q: "bot", cursor: forged(["x", parts[1], parts[2], parts[3]]) })).toBe(LIST_MSG.cursor);
    expect(message({ sort: "name", q: "bot", cursor: forged([parts[0], parts[1], parts[2], -1]) })).toBe(LIST_MSG.cursor);
  });
});

describe("every sort is served by its index", () => {
  async function plans(params: Record<string, string>): Promise<string[]> {
    // A cursor too, so the keyset condition is part of what is planned.
    const first = await listTokenPage(t.db, options({ ...params, limit: "10" }), NOW);
    t.statements.length = 0;
    await listTokenPage(t.db, options({ ...params, limit: "10", cursor: first.nextCursor! }), NOW);
    const paged = t.statements.filter((s) => /order by/i.test(s.sql));
    expect(paged).toHaveLength(1);
    const { rows } = await t.client.execute({ sql: `EXPLAIN QUERY PLAN ${paged[0]!.sql}`, args: paged[0]!.params as never });
    return rows.map((r) => String(r.detail));
  }

  const INDEX: Record<string, string> = {
    name: "api_tokens_name_nocase_idx",
    created: "api_tokens_created_idx",
    lastUsed: "api_tokens_last_used_idx",
    expiry: "api_tokens_expiry_idx",
  };

  it.each(TOKEN_SORTS.flatMap((s) => [s, `-${s}`]))("sort=%s", async (sort) => {
    for (const filters of [{}, { scope: "admin", status: "enabled", q: "bot" }] as Record<string, string>[]) {
      const plan = await plans({ sort, ...filters });
      const where = `${sort} ${JSON.stringify(filters)}: ${plan.join(" | ")}`;
      expect(plan.join("\n"), where).toContain(`USING INDEX ${INDEX[sort.replace("-", "")]}`);
      expect(plan.join("\n"), where).not.toMatch(/TEMP B-TREE/);
      // The cursor is a range of the index, not a filter applied while scanning from the start.
      if (Object.keys(filters).length === 0) expect(plan.join("\n"), where).toMatch(/^SEARCH api_tokens USING INDEX/m);
    }
  });
});
