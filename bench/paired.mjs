// Paired comparison of load runs, as `npm run bench` pairs subject and baseline: baseline and
// subjects take turns (B S1 B S2 B … B), and each subject run is compared with the mean of the two
// baseline runs around it, so drift of the machine's speed cancels within a pair.
import { median, quartiles } from "./summary.mjs";

/**
 * `baseline` and each of `subjects` are functions that make one load run ({ rps, cpuUsPerRequest }).
 * Returns, per subject, its pair ratios: req/s over its neighbours', and its neighbours' CPU µs per
 * request over its own (above 1: the subject is cheaper).
 */
export async function pairedRatios(baseline, subjects, pairs) {
  const ratios = Object.fromEntries(Object.keys(subjects).map((name) => [name, { rps: [], cpu: [] }]));
  let before = await baseline();
  for (let i = 0; i < pairs; i++) {
    for (const [name, subject] of Object.entries(subjects)) {
      const s = await subject();
      const after = await baseline();
      ratios[name].rps.push(s.rps / ((before.rps + after.rps) / 2));
      ratios[name].cpu.push((before.cpuUsPerRequest + after.cpuUsPerRequest) / 2 / s.cpuUsPerRequest);
      before = after;
    }
  }
  return ratios;
}

/** `0.953 (middle half 0.941–0.967)`. */
export const showRatios = (xs) => `${median(xs).toFixed(3)} (middle half ${quartiles(xs).map((x) => x.toFixed(3)).join("–")})`;
