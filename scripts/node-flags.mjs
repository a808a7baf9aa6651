// The Node.js flags the panel's server runs with, in one place for `npm start`,
// the tests and the benchmark (so they measure the panel as it ships).
//
// A 256 MiB V8 heap: the panel's live heap is ~40 MB, and listing 100,000
// tokens peaks near 230 MB RSS; without a limit V8 sizes its heap to the
// machine (gigabytes on a big host) and RSS drifts past 300 MB under steady
// load for no benefit. An operator's own NODE_OPTIONS=--max-old-space-size=…
// wins: the default is only added when none is given.
export function serverNodeFlags(env = process.env) {
  return /--max-old-space-size/.test(env.NODE_OPTIONS ?? "") ? [] : ["--max-old-space-size=256"];
}
