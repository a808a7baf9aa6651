// From individual runs to what a reader wants: each subject against the
// baseline runs that surround it, and the issue's targets as met / not met.
import { percentile } from "./load.mjs";

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The q-quantile (0–1), interpolating linearly between order statistics; null for none. */
export function quantile(xs, q) {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export const median = (xs) => quantile(xs, 0.5);

/** The lower and upper quartile. */
export const quartiles = (xs) => [quantile(xs, 0.25), quantile(xs, 0.75)];

const MB = 1024 * 1024;

function mergedPercentiles(runs) {
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return { p50: percentile(all, 50), p99: percentile(all, 99) };
}

/**
 * Each subject run sits between two baseline runs on the same server
 * (B S B S B …), and forms a pair with them: its req/s over the mean of its
 * two neighbours. The subject's ratio is the median of its pair ratios. A
 * pair compares seconds of the same machine, so slow drift cancels out, and
 * the median is not dragged by the few pairs a burst of other programs hit
 * on one side only (a mean of all subject runs over all baseline runs, the
 * "pooled" ratio, is reported too). CPU µs per request is paired the same way.
 */
export function summarizeSubjects(subjects, runs) {
  return subjects.map((subject) => {
    const own = runs.filter((r) => r.subjectId === subject.id);
    const neighbourIds = [...new Set(own.flatMap((r) => r.neighbours))];
    const baselines = runs.filter((r) => neighbourIds.includes(r.index));
    const { p50, p99 } = mergedPercentiles(own);
    const base = mergedPercentiles(baselines);
    const rps = mean(own.map((r) => r.rps));
    const baselineRps = mean(baselines.map((r) => r.rps));
    const neighboursOf = (r) => runs.filter((b) => r.neighbours.includes(b.index));
    const pairRatios = own.map((r) => r.rps / mean(neighboursOf(r).map((b) => b.rps)));
    const [ratioQ1, ratioQ3] = quartiles(pairRatios);
    const queries = own.map((r) => r.queriesPerRequest).filter((q) => q !== null && q !== undefined);
    const hasCpu = (rs) => rs.every((r) => r.cpuUsPerRequest !== null && r.cpuUsPerRequest !== undefined);
    const cpu = (rs) => (hasCpu(rs) ? mean(rs.map((r) => r.cpuUsPerRequest)) : null);
    const cpuUs = cpu(own);
    const baselineCpuUs = cpu(baselines);
    // Capacity estimated from server CPU time: the neighbours' µs per request ÷ the subject's.
    const cpuPairRatios = hasCpu(own) && hasCpu(baselines) ? own.map((r) => cpu(neighboursOf(r)) / r.cpuUsPerRequest) : [];
    return {
      id: subject.id,
      label: subject.label,
      server: subject.serverLabel,
      database: subject.database,
      tokens: subject.tokens,
      rps,
      baselineRps,
      ratio: median(pairRatios),
      pooledRatio: rps / baselineRps,
      pairRatios,
      ratioQ1,
      ratioQ3,
      ratioMin: Math.min(...pairRatios),
      ratioMax: Math.max(...pairRatios),
      cpuUsPerRequest: cpuUs,
      baselineCpuUsPerRequest: baselineCpuUs,
      cpuRatio: median(cpuPairRatios),
      pooledCpuRatio: cpuUs && baselineCpuUs ? baselineCpuUs / cpuUs : null,
      p50,
      p99,
      baselineP50: base.p50,
      baselineP99: base.p99,
      p99Ratio: p99 / base.p99,
      peakRssMB: Math.max(...own.map((r) => r.peakRssBytes)) / MB,
      baselinePeakRssMB: Math.max(...baselines.map((r) => r.peakRssBytes)) / MB,
      queriesPerRequest: queries.length ? mean(queries) : null,
      runs: own.length,
    };
  });
}

const fmt = (n, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(digits));

/** The issue's targets, each with the figure that decides it. Missing data is "not measured", never "met". */
export function evaluateTargets(summary, { tokenCounts, runs, propagation, seeding, listPage = null }) {
  const [few, , most] = [tokenCounts[0], tokenCounts[1], tokenCounts[tokenCounts.length - 1]];
  const byId = Object.fromEntries(summary.map((s) => [s.id, s]));
  const targets = [];
  const add = (name, goal, value, met, note, cpu) => targets.push({ name, goal, value, met, note, ...cpu });
  /** The same target judged on server CPU µs per request, the measure a shared machine disturbs least. */
  const byCpu = (value, min) => (value === null || value === undefined ? {} : { cpuValue: fmt(value), cpuMet: value >= min });
  const ratioTarget = (id, name, min) => {
    const s = byId[id];
    add(
      name,
      `≥ ${min.toFixed(2)}`,
      s ? fmt(s.ratio) : "not measured",
      s ? s.ratio >= min : null,
      s ? `median of ${s.pairRatios.length} pairs, middle half ${fmt(s.ratioQ1)}–${fmt(s.ratioQ3)}; pooled ${fmt(s.pooledRatio)}` : undefined,
      byCpu(s?.cpuRatio, min),
    );
  };

  ratioTarget("bearer@few", `bearer req/s ÷ baseline, ${few} token(s)`, 0.9);
  ratioTarget("bearer@most", `bearer req/s ÷ baseline, ${most} tokens`, 0.9);
  ratioTarget("bearer@replica", `bearer req/s ÷ baseline, panel reading from a sqld replica, ${most} tokens`, 0.9);
  ratioTarget("session@few", "session-cookie req/s ÷ baseline", 0.9);

  const small = byId["bearer@few"];
  const large = byId["bearer@most"];
  if (small && large) {
    // Judged on each subject against its own baseline: the two segments run minutes apart, and a
    // shared host's speed drifts between them by more than the target's margin. /healthz does not
    // touch tokens.
    const direct = large.rps / small.rps;
    const normalized = large.ratio / small.ratio;
    add(
      `bearer req/s at ${most} tokens ÷ at ${few}`,
      "≥ 0.95",
      fmt(normalized),
      normalized >= 0.95,
      `each against its own baseline: ${fmt(large.ratio)} ÷ ${fmt(small.ratio)}; direct req/s ${fmt(direct)}`,
      byCpu(small.cpuUsPerRequest && large.cpuUsPerRequest ? small.cpuUsPerRequest / large.cpuUsPerRequest : null, 0.95),
    );
  } else add(`bearer req/s at ${most} tokens ÷ at ${few}`, "≥ 0.95", "not measured", null);

  for (const id of ["bearer@few", "bearer@most"]) {
    const s = byId[id];
    const name = `bearer p99 ÷ baseline p99, ${s?.tokens ?? "?"} token(s)`;
    if (s) add(name, "≤ 1.20", `${fmt(s.p99Ratio)} (${fmt(s.p99)} ms vs ${fmt(s.baselineP99)} ms)`, s.p99Ratio <= 1.2);
    else add(name, "≤ 1.20", "not measured", null);
  }

  ratioTarget("unknown@few", `unknown-token flood ÷ baseline, ${few} token(s)`, 0.9);
  ratioTarget("unknown@most", `unknown-token flood ÷ baseline, ${most} tokens`, 0.9);
  ratioTarget("badsum@few", `bad-checksum flood ÷ baseline, ${few} token(s)`, 0.9);
  ratioTarget("badsum@most", `bad-checksum flood ÷ baseline, ${most} tokens`, 0.9);

  const peakOf = (tokens) => {
    const panelRuns = runs.filter((r) => r.tokens === tokens && r.database === "file");
    return panelRuns.length ? Math.max(...panelRuns.map((r) => r.peakRssBytes)) / MB : null;
  };
  const peak = peakOf(most);
  if (peak !== null) {
    // The same figure for the smallest database tells what the tokens themselves cost.
    add(`server peak RSS under load, ${most} tokens`, "≤ 300 MB", `${fmt(peak, 0)} MB`, peak <= 300, `${few} token(s): ${fmt(peakOf(few), 0)} MB`);
  } else add(`server peak RSS under load, ${most} tokens`, "≤ 300 MB", "not measured", null);

  for (const p of propagation) {
    if (p.skipped) {
      add(`disabled token, ${p.database}: next request on the same server`, "401", `skipped: ${p.skipped}`, null);
      add(`disabled token, ${p.database}: second server rejects it`, "≤ 1000 ms", `skipped: ${p.skipped}`, null);
      continue;
    }
    const statuses = p.trials.map((t) => t.sameServerNextStatus).join(", ");
    add(`disabled token, ${p.database}: next request on the same server`, "401", statuses, p.sameServerRejected);
    const delays = p.trials.map((t) => (t.secondServerDelayMs === null ? "> 5000" : fmt(t.secondServerDelayMs, 0))).join(", ");
    add(
      `disabled token, ${p.database}: second server rejects it`,
      "≤ 1000 ms",
      `max ${p.maxSecondServerDelayMs === null ? "> 5000" : fmt(p.maxSecondServerDelayMs, 0)} ms (trials: ${delays})`,
      p.maxSecondServerDelayMs !== null && p.maxSecondServerDelayMs <= 1000,
    );
  }

  if (listPage) {
    const { navigation: n, healthz: h } = listPage;
    const at = `${listPage.tokens} tokens`;
    const firstRows = median(n.firstRowsMs);
    add(`Security page: navigation to the first rows, ${at}`, "≤ 1500 ms", `${fmt(firstRows, 0)} ms`, firstRows <= 1500,
      `median of ${n.firstRowsMs.length}: ${n.firstRowsMs.map((ms) => fmt(ms, 0)).join(", ")} ms`);
    add(`Security page: largest token-list response, ${at}`, "≤ 100 KB", `${fmt(n.largestListBytes / 1000, 1)} KB`,
      n.largestListBytes <= 100_000,
      `JSON text; ${fmt(n.largestListWireBytes / 1000, 1)} KB on the wire; ${n.listResponses} list responses over ${n.firstRowsMs.length} page loads`);
    const ratio = h.duringP99 / h.aloneP99;
    add(`/healthz p99 during a full unpaged list ÷ alone, ${at}`, "≤ 2.00", `${fmt(ratio)} (${fmt(h.duringP99)} ms vs ${fmt(h.aloneP99)} ms)`,
      ratio <= 2, `${h.duringSamples} requests during ${h.fullLists.length} lists of ${h.fullLists.map((l) => `${fmt(l.bytes / 1e6, 1)} MB in ${fmt(l.ms, 0)} ms`).join(", ")}`);
  }

  const biggestSeed = seeding.filter((s) => s.database === "file").sort((a, b) => b.tokens - a.tokens)[0];
  if (biggestSeed) {
    add(`seeding ${biggestSeed.tokens} tokens (harness)`, "< 60 s", `${fmt(biggestSeed.seconds, 1)} s`, biggestSeed.seconds < 60);
  }
  return targets;
}
