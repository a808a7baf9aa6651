import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { narrowestScope } from "@/lib/api/least-privilege";
import { flushTokenUsage, noteTokenUsage, readTokenUsage, usageDay } from "@/lib/tokens/usage";
import { openTestDb, type TestDb } from "../support/db";

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const STATUS = "/panel/api/server/status";

describe("narrowestScope", () => {
  it("picks the scope allowing the fewest routes that still allows every call; the token's own when as narrow, never a wider one", () => {
    expect(narrowestScope([], "admin")).toBeNull();
    expect(narrowestScope([{ method: "GET", path: STATUS }], "admin")).toBe("monitor");
    expect(narrowestScope([{ method: "GET", path: STATUS }], "node-sync")).toBe("node-sync");
    const list = { method: "GET", path: "/panel/api/setting/apiTokens" };
    expect(narrowestScope([{ method: "GET", path: STATUS }, list], "admin")).toBe("admin");
    // Never wider than the token is now: calls made under a wider scope it had before ask for nothing.
    expect(narrowestScope([{ method: "GET", path: STATUS }, list], "monitor")).toBe("monitor");
    // A route gone from the catalog asks for nothing.
    expect(narrowestScope([{ method: "GET", path: "/panel/api/gone" }, { method: "GET", path: STATUS }], "admin")).toBe("monitor");
  });
});

describe("usage counting (a real libSQL database)", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb();
  });
  afterEach(() => t.cleanup());

  it("costs no database statement per call; one flush adds the counts, and reads merge what is not yet written", async () => {
    for (let i = 0; i < 100; i++) noteTokenUsage(t.db, 7, "GET", STATUS, NOW);
    noteTokenUsage(t.db, 7, "HEAD", STATUS, NOW);
    noteTokenUsage(t.db, 8, "GET", STATUS, NOW);
    expect(t.queries).toEqual([]);

    await flushTokenUsage(t.db, NOW);
    expect(t.queries.filter((q) => q.startsWith("insert into \"token_usage\""))).toHaveLength(1);
    noteTokenUsage(t.db, 7, "GET", STATUS, NOW + DAY);
    expect(await readTokenUsage(t.db, 7, 30, NOW + DAY)).toEqual([{ method: "GET", route: STATUS, calls: 102, lastDay: usageDay(NOW + DAY) }]);

    await flushTokenUsage(t.db, NOW + DAY);
    const rows = await t.client.execute("SELECT token_id, day, method, route, calls FROM token_usage ORDER BY token_id, day");
    expect(rows.rows.map((r) => [r.token_id, r.day, r.calls])).toEqual([
      [7, usageDay(NOW), 101],
      [7, usageDay(NOW + DAY), 1],
      [8, usageDay(NOW), 1],
    ]);
    // Only the days asked for.
    expect(await readTokenUsage(t.db, 7, 1, NOW + DAY)).toEqual([{ method: "GET", route: STATUS, calls: 1, lastDay: usageDay(NOW + DAY) }]);
  });
});
