import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain .mjs benchmark code (no type declarations); its statistics are checked here
import { evaluateTargets, median, quartiles, summarizeSubjects } from "../../bench/summary.mjs";

interface Run {
  index: number;
  kind: "baseline" | "subject";
  subjectId?: string;
  rps: number;
  cpuUsPerRequest: number;
  neighbours?: number[];
  latencies: number[];
  peakRssBytes: number;
  tokens: number;
  database: string;
}

/** B S B S … B on one server: each subject run paired with the baseline runs either side. */
function alternate(subjectId: string, pairs: Array<[baseline: number, subject: number]>, lastBaseline: number): Run[] {
  const runs: Run[] = [];
  const add = (run: Omit<Run, "index" | "latencies" | "peakRssBytes" | "tokens" | "database">) =>
    runs.push({ ...run, index: runs.length, latencies: [1, 2, 3], peakRssBytes: 100 * 2 ** 20, tokens: 1, database: "file" });
  for (const [b, s] of pairs) {
    add({ kind: "baseline", rps: b, cpuUsPerRequest: 1e6 / b });
    add({ kind: "subject", subjectId, rps: s, cpuUsPerRequest: 1e6 / s });
  }
  add({ kind: "baseline", rps: lastBaseline, cpuUsPerRequest: 1e6 / lastBaseline });
  for (const r of runs) if (r.kind === "subject") r.neighbours = [r.index - 1, r.index + 1];
  return runs;
}

describe("benchmark statistics", () => {
  it("median and quartiles", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(quartiles([1, 2, 3, 4, 5])).toEqual([2, 4]);
    expect(quartiles([7])).toEqual([7, 7]);
  });

  it("pairs each subject run with its neighbours: a burst on one side moves the pooled ratio, not the median", () => {
    // The machine drifts from 1,000 to 1,400 req/s; the subject always does 95 % of the seconds around it.
    const drift = [1000, 1100, 1200, 1300, 1400];
    const pairs = drift.map((b, i): [number, number] => [b, 0.95 * ((b + (drift[i + 1] ?? 1500)) / 2)]);
    // One subject run lands in another program's burst and gets half its usual rate.
    pairs[2]![1] /= 2;
    const runs = alternate("bearer@few", pairs, 1500);
    const [s] = summarizeSubjects([{ id: "bearer@few", label: "bearer token", serverLabel: "panel", database: "file", tokens: 1 }], runs);
    expect(s.pairRatios).toHaveLength(5);
    expect(s.ratio).toBeCloseTo(0.95, 6);
    // µs per request averages the neighbours a little differently (a mean of reciprocals).
    expect(s.cpuRatio).toBeCloseTo(0.95, 2);
    expect(s.pooledRatio).toBeLessThan(0.9);
    expect(s.ratioMin).toBeCloseTo(0.475, 6);
  });

  it("judges a throughput target on the median pair ratio and says how it was formed", () => {
    const runs = alternate("bearer@few", [[1000, 890], [1000, 890], [1000, 890]], 1000);
    const summary = summarizeSubjects([{ id: "bearer@few", label: "bearer token", serverLabel: "panel", database: "file", tokens: 1 }], runs);
    const targets = evaluateTargets(summary, { tokenCounts: [1, 1000, 100000], runs, propagation: [], seeding: [] });
    const bearer = targets.find((t: { name: string }) => t.name === "bearer req/s ÷ baseline, 1 token(s)");
    expect(bearer).toMatchObject({ value: "0.89", met: false });
    expect(bearer.note).toContain("median of 3 pairs");
  });

  it("judges scaling from 1 to 100,000 tokens on each subject against its own baseline, not across a drifting host", () => {
    const judge = (fewPairs: Array<[number, number]>, mostPairs: Array<[number, number]>) => {
      const first = alternate("bearer@few", fewPairs, fewPairs[0]![0]);
      // The second server's runs come after the first's.
      const second = alternate("bearer@most", mostPairs, mostPairs[0]![0]).map((r) => ({
        ...r,
        index: r.index + first.length,
        neighbours: r.neighbours?.map((i) => i + first.length),
      }));
      const runs = [...first, ...second];
      const subjects = ["bearer@few", "bearer@most"].map((id) => ({ id, label: "bearer token", serverLabel: id, database: "file", tokens: 1 }));
      const summary = summarizeSubjects(subjects, runs);
      return evaluateTargets(summary, { tokenCounts: [1, 1000, 100000], runs, propagation: [], seeding: [] }).find(
        (t: { name: string }) => t.name === "bearer req/s at 100000 tokens ÷ at 1",
      );
    };
    // The host ran 20 % slower while the large database was measured; the token count cost nothing.
    const slower = judge([[1000, 920], [1000, 920]], [[800, 736], [800, 736]]);
    expect(slower).toMatchObject({ value: "1.00", met: true });
    expect(slower.note).toContain("direct req/s 0.80");
    // The same host speed, and the large database really costs 10 %.
    expect(judge([[1000, 920], [1000, 920]], [[1000, 828], [1000, 828]])).toMatchObject({ value: "0.90", met: false });
  });

  it("judges the Security page figures: median first rows, largest decoded list, /healthz p99 ratio", () => {
    const listPage = (firstRowsMs: number[], largestListBytes: number, duringP99: number) => ({
      tokens: 100000,
      navigation: { firstRowsMs, largestListBytes, largestListWireBytes: 1000, listResponses: 3 },
      healthz: { aloneP99: 10, duringP99, aloneSamples: 600, duringSamples: 90, fullLists: [{ bytes: 2e7, ms: 900 }] },
    });
    const judge = (page: ReturnType<typeof listPage>) =>
      Object.fromEntries(
        evaluateTargets([], { tokenCounts: [1, 1000, 100000], runs: [], propagation: [], seeding: [], listPage: page })
          .filter((t: { name: string }) => /Security page|during a full/.test(t.name))
          .map((t: { name: string; met: boolean }) => [t.name.split(",")[0], t.met]),
      );
    expect(judge(listPage([900, 1400, 3000], 100_000, 20))).toEqual({
      "Security page: navigation to the first rows": true,
      "Security page: largest token-list response": true,
      "/healthz p99 during a full unpaged list ÷ alone": true,
    });
    expect(judge(listPage([1400, 1600, 1700], 100_001, 20.1))).toEqual({
      "Security page: navigation to the first rows": false,
      "Security page: largest token-list response": false,
      "/healthz p99 during a full unpaged list ÷ alone": false,
    });
  });
});
