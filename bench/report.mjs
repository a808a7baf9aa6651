// bench/results.md and bench/results.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const fmt = (n, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(digits));
const int = (n) => (n === null || n === undefined ? "n/a" : Math.round(n).toLocaleString("en-US"));
const verdict = (met) => (met === null ? "–" : met ? "met" : "**not met**");

export function renderMarkdown(results) {
  const { environment: env, settings, summary, targets, propagation, seeding, notices } = results;
  const lines = [];
  lines.push(`# Benchmark results${settings.smoke ? " (smoke run: figures are not meaningful)" : ""}`, "");
  lines.push(
    `${env.date} · ${env.cores} cores (${env.cpuModel}) · Node ${env.node} · Next.js ${env.next} · autocannon ${env.autocannon}` +
      `${env.sqld ? ` · ${env.sqld}` : ""} · commit ${env.commit}`,
    "",
    `${settings.connections} connections, runs of ${settings.durationS} s${settings.warmupS ? ` after ${settings.warmupS} s of warm-up` : ""}, ` +
      `${settings.rounds} round(s) × ${settings.pairs ?? 1} pair(s) per subject; every subject run sits between two baseline runs ` +
      `(\`GET /healthz\`) on the same server (B S B S … B) and forms a pair with them. **÷ baseline** is the median over ` +
      `the pairs of the subject's req/s over its two neighbours' (in brackets: the middle half of the pair ratios, then ` +
      `the pooled ratio, all subject runs over all their baseline runs); **÷ baseline by CPU** pairs the server's CPU µs ` +
      `per request the same way. Latencies are per response, over all of a subject's runs.`,
    "",
  );
  lines.push(
    "| scenario | tokens | database | req/s | baseline req/s | ÷ baseline | server CPU µs / req (baseline) | ÷ baseline by CPU | p50 ms | p99 ms | baseline p99 ms | p99 ÷ baseline | peak RSS MB |" +
      (summary.some((s) => s.queriesPerRequest !== null) ? " DB statements / request |" : ""),
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + (summary.some((s) => s.queriesPerRequest !== null) ? "---:|" : ""),
  );
  for (const s of summary) {
    lines.push(
      `| ${s.label} | ${s.tokens === null ? "–" : int(s.tokens)} | ${s.database} | ${int(s.rps)} | ${int(s.baselineRps)} | ${fmt(s.ratio)}${s.runs > 1 ? ` (${fmt(s.ratioQ1)}–${fmt(s.ratioQ3)}; pooled ${fmt(s.pooledRatio)})` : ""} | ` +
        `${fmt(s.cpuUsPerRequest, 0)} (${fmt(s.baselineCpuUsPerRequest, 0)}) | ${fmt(s.cpuRatio)} | ` +
        `${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.baselineP99)} | ${fmt(s.p99Ratio)} | ${fmt(s.peakRssMB, 0)} |` +
        (summary.some((x) => x.queriesPerRequest !== null) ? ` ${fmt(s.queriesPerRequest)} |` : ""),
    );
  }
  lines.push(
    "",
    "## Targets (issues 5 and 15)",
    "",
    "Judged on req/s as the issue defines them (a throughput ratio: the median of the subject's pair ratios); the last two columns judge the " +
      "same ratio estimated from the server's CPU time per request (baseline µs ÷ subject µs), which other programs on a " +
      "shared machine disturb far less than req/s.",
    "",
    "| target | goal | measured | | from server CPU µs / request | |",
    "|---|---|---|---|---|---|",
  );
  for (const t of targets) {
    lines.push(
      `| ${t.name} | ${t.goal} | ${t.value}${t.note ? ` (${t.note})` : ""} | ${verdict(t.met)} | ` +
        `${t.cpuValue ?? "–"} | ${t.cpuValue ? verdict(t.cpuMet) : ""} |`,
    );
  }

  lines.push("", "## Disabling a token", "");
  for (const p of propagation) {
    if (p.skipped) {
      lines.push(`- ${p.database}: skipped (${p.skipped})`);
      continue;
    }
    lines.push(`- ${p.database} (${p.servers}):`);
    p.trials.forEach((t, i) =>
      lines.push(
        `  - trial ${i + 1}: disable call ${fmt(t.disableCallMs, 0)} ms; next request on the same server → ${t.sameServerNextStatus}; ` +
          `second server rejects after ${t.secondServerDelayMs === null ? "> 5000" : fmt(t.secondServerDelayMs, 0)} ms ` +
          `(answer to poll ${t.secondServerPolls}, sent at ${fmt(t.secondServerRequestSentMs, 0)} ms; polled every 25 ms); re-enabled: accepted again after ${fmt(t.reenableFirstMs, 0)} / ${fmt(t.reenableSecondMs, 0)} ms`,
      ),
    );
  }
  lines.push("", "## Seeding", "");
  for (const s of seeding) lines.push(`- ${int(s.tokens)} tokens into ${s.database}: ${fmt(s.seconds, 1)} s`);
  if (notices.length) {
    lines.push("", "## Notices", "");
    for (const n of notices) lines.push(`- ${n}`);
  }
  lines.push("", "Raw figures per run: `results.json` next to this file.", "");
  return lines.join("\n");
}

export function writeResults(dir, results) {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, "results.json");
  const md = path.join(dir, "results.md");
  writeFileSync(json, JSON.stringify(results, null, 2) + "\n");
  writeFileSync(md, renderMarkdown(results));
  return { json, md };
}
