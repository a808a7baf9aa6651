// The correctness side of any speed-up: a token disabled through the API must
// fail on the very next request to the server that disabled it, and on a
// second server sharing the database within a second. Measured, not assumed.
import { bearer, setTokenEnabled, statusWith } from "./panel-client.mjs";

const POLL_MS = 25;
/** Give up waiting for the second server after this long (the target is 1 s). */
const GIVE_UP_MS = 5_000;
/** Requests with the token on each server before disabling it: whatever a cache would hold, it holds now. */
const WARM_REQUESTS = 5;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `status` answers `want`. Returns ms from `since` to the arrival
 * of that answer (an upper bound: the server decided somewhere between sending
 * and arrival), or null after GIVE_UP_MS; `sentMs` is when that request left.
 */
async function delayUntil(server, token, want, since) {
  for (let polls = 1; ; polls++) {
    const sent = performance.now();
    const status = await statusWith(server.baseUrl, bearer(token));
    const elapsed = performance.now() - since;
    if (status === want) return { ms: elapsed, sentMs: sent - since, polls };
    if (elapsed > GIVE_UP_MS) return { ms: null, sentMs: null, polls };
    await sleep(POLL_MS);
  }
}

/**
 * `reps` times: warm both servers with the victim token, disable it on `first`,
 * check the next request there, then poll `second` every 25 ms until it says
 * 401; enable it again and wait until both accept it. Harness failures (a call
 * that does not succeed) throw; slow propagation is a finding, not an error.
 */
export async function measureDisablePropagation({ first, second, adminToken, victim, reps }) {
  const trials = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const server of [first, second]) {
      for (let i = 0; i < WARM_REQUESTS; i++) {
        const status = await statusWith(server.baseUrl, bearer(victim.plaintext));
        if (status !== 200) throw new Error(`${server.label}: enabled victim token got ${status} instead of 200`);
      }
    }
    const sent = performance.now();
    await setTokenEnabled(first.baseUrl, adminToken, victim.id, false);
    const acknowledged = performance.now();
    const nextStatus = await statusWith(first.baseUrl, bearer(victim.plaintext));
    const secondServer = await delayUntil(second, victim.plaintext, 401, acknowledged);

    await setTokenEnabled(first.baseUrl, adminToken, victim.id, true);
    const enabledAt = performance.now();
    const reenableFirstMs = (await delayUntil(first, victim.plaintext, 200, enabledAt)).ms;
    const reenableSecondMs = (await delayUntil(second, victim.plaintext, 200, enabledAt)).ms;
    trials.push({
      disableCallMs: acknowledged - sent,
      sameServerNextStatus: nextStatus,
      // From the disable call's answer to the second server's first 401.
      secondServerDelayMs: secondServer.ms,
      secondServerRequestSentMs: secondServer.sentMs,
      secondServerPolls: secondServer.polls,
      reenableFirstMs,
      reenableSecondMs,
    });
    if (reenableFirstMs === null || reenableSecondMs === null) break; // the next trial would start from a wrong state
  }
  const delays = trials.map((t) => t.secondServerDelayMs);
  return {
    trials,
    sameServerRejected: trials.every((t) => t.sameServerNextStatus === 401),
    maxSecondServerDelayMs: delays.includes(null) ? null : Math.max(...delays),
  };
}
