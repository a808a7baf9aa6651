// One load run: autocannon over loopback with fixed connections for a fixed
// time after a warm-up, plus the server's peak RSS while it ran.
import autocannon from "autocannon";
import { cpuMicros, watchRss } from "./procs.mjs";

/** Exact percentile of sorted latencies (ms). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

/** A share of answers other than the expected status this large means the run measured something else. */
const MAX_UNEXPECTED_SHARE = 0.01;

/**
 * Drives `target` ({ url, path, headers?, header?: () => [name, value], expect })
 * for `durationS` seconds after `warmupS` seconds of the same load, and returns
 * req/s, latency percentiles, status counts, the server's CPU time per request
 * and its peak RSS.
 * Latencies are recorded per response in float ms (autocannon's own histogram
 * has 1 ms resolution, coarse next to single-digit-ms latencies).
 */
export async function loadRun(target, { connections, durationS, warmupS, serverPid }) {
  const dynamicHeader = target.header;
  const request = { method: "GET", path: target.path };
  if (dynamicHeader) {
    // A fresh header per request: each flood token is new to the server.
    request.setupRequest = (req) => {
      const [name, value] = dynamicHeader();
      return { ...req, headers: { ...req.headers, [name]: value } };
    };
  }
  const latencies = [];
  const rss = watchRss(serverPid);
  const instance = autocannon({
    url: target.url,
    connections,
    pipelining: 1,
    duration: durationS,
    headers: target.headers ?? {},
    requests: [request],
    warmup: warmupS > 0 ? { connections, duration: warmupS } : undefined,
    // Per-response latencies are collected below; no terminal output.
    renderProgressBar: false,
    renderResultsTable: false,
  });
  instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
  // The measured phase starts after the warm-up: that is when this instance emits "start".
  let cpuAtStart = null;
  instance.on("start", () => (cpuAtStart = cpuMicros(serverPid)));
  const result = await instance;
  const cpuAtEnd = cpuMicros(serverPid);
  const peakRss = rss.stop();

  latencies.sort((a, b) => a - b);
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const completed = Object.values(statuses).reduce((a, b) => a + b, 0);
  const expected = statuses[target.expect] ?? 0;
  const problems = [];
  if (completed === 0) problems.push("no request completed");
  else if ((completed - expected) / completed > MAX_UNEXPECTED_SHARE) {
    problems.push(`expected status ${target.expect}, got ${JSON.stringify(statuses)}`);
  }
  if (result.errors > completed * MAX_UNEXPECTED_SHARE) problems.push(`${result.errors} connection errors`);
  return {
    rps: completed / result.duration,
    // Server CPU µs per answered request during the measured phase (null off Linux).
    cpuUsPerRequest: cpuAtStart !== null && cpuAtEnd !== null && completed > 0 ? (cpuAtEnd - cpuAtStart) / completed : null,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    requests: completed,
    durationS: result.duration,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    warmupRequests: result.warmup ? Object.values(result.warmup.statusCodeStats).reduce((a, { count }) => a + count, 0) : 0,
    peakRssBytes: peakRss,
    problems,
    latencies,
  };
}
