// The Security page at scale, in Chromium, against a panel holding many tokens:
//   - time from navigation to the first token rows on screen,
//   - the largest token-list response the page loads,
//   - /healthz p99 while a full, unpaged token list is being built, against /healthz p99 alone.
// Called by bench/run.mjs on its largest-database server; figures go into bench/results.md.
import { spawn } from "node:child_process";
import { chromium } from "@playwright/test";
import { quantile } from "./summary.mjs";

const PAGE_PATH = "/panel/settings/security";
const LIST_PATH = "/panel/api/setting/apiTokens";
/** Seeded filler tokens are named `bench-filler-000042` (the admin and its token are `bench-admin`). */
const ROW_TEXT = /bench-filler-\d{6}/;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records, inside the page, when a seeded token's name is first rendered
 * (in `innerText`, which holds only text on screen): the browser's own clock
 * from navigation start, free of the test driver's polling delay, and blind
 * to how the rows are marked up.
 */
function watchFirstRow(pattern) {
  const re = new RegExp(pattern);
  const seen = () => {
    if (window.__firstRowAt !== undefined || !re.test(document.body.innerText)) return;
    window.__firstRowAt = performance.now();
    observer.disconnect();
  };
  const observer = new MutationObserver(seen);
  document.addEventListener("DOMContentLoaded", () => {
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    seen();
  });
}

async function signIn(context, baseUrl, admin) {
  const csrf = (await (await context.request.get(`${baseUrl}/csrf-token`)).json()).obj;
  const res = await context.request.post(`${baseUrl}/login`, { data: admin, headers: { "X-CSRF-Token": csrf } });
  if (!(await res.json()).success) throw new Error("list-page: sign-in failed");
}

async function navigationTrials(browser, { baseUrl, admin, trials }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await signIn(context, baseUrl, admin);
    await context.addInitScript(watchFirstRow, ROW_TEXT.source);
    const firstRowsMs = [];
    let largestListBytes = 0;
    let largestListWireBytes = 0;
    let listResponses = 0;
    for (let i = 0; i < trials; i++) {
      const page = await context.newPage();
      const lists = [];
      page.on("response", (response) => {
        if (new URL(response.url()).pathname !== LIST_PATH) return;
        // Bytes as received (Chromium's count: it keeps no copy of a 20 MB body for body()).
        lists.push(response.request().sizes().then((s) => ({ url: response.url(), wire: s.responseBodySize })));
      });
      await page.goto(`${baseUrl}${PAGE_PATH}`, { waitUntil: "commit" });
      await page.waitForFunction(() => window.__firstRowAt !== undefined, null, { timeout: 60_000, polling: 50 });
      firstRowsMs.push(await page.evaluate(() => window.__firstRowAt));
      await page.waitForLoadState("networkidle");
      for (const { url, wire } of await Promise.all(lists)) {
        // Judged decoded (as JSON text), whatever the compression: the same request again, by the API client.
        const decoded = (await (await context.request.get(url)).body()).length;
        listResponses++;
        largestListBytes = Math.max(largestListBytes, decoded);
        largestListWireBytes = Math.max(largestListWireBytes, wire);
      }
      await page.close();
    }
    return { firstRowsMs, largestListBytes, largestListWireBytes, listResponses };
  } finally {
    await context.close();
  }
}

/** One /healthz after another until `until()` says stop (at least `min` of them); their latencies in ms. */
async function healthzLatencies(baseUrl, { until, min = 0 }) {
  const latencies = [];
  while (latencies.length < min || !until()) {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/healthz`);
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    await sleep(2);
  }
  return latencies;
}

/**
 * The bot that fetches the full list runs in a process of its own, as a real
 * one does: decoding and parsing 25 MB here would stall this process's own
 * /healthz timings and blame the panel for it. It accepts gzip, as bots'
 * HTTP libraries do, prints "start" as it sends the request and then what it got.
 */
const LIST_BOT = `
const [url, token] = [process.argv[1], process.env.LIST_BOT_TOKEN];
console.log("start");
const t0 = performance.now();
fetch(url, { headers: { Authorization: "Bearer " + token } }).then(async (res) => {
  const text = await res.text();
  const items = JSON.parse(text).obj;
  console.log(JSON.stringify({ status: res.status, bytes: Buffer.byteLength(text), items: Array.isArray(items) ? items.length : null, ms: performance.now() - t0 }));
});`;

/** `{ started, result }`: when the bot has sent its request, and what it got. */
function fetchFullList(url, token) {
  // The token in the environment, not on a command line any process can read.
  const bot = spawn(process.execPath, ["-e", LIST_BOT, url], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, LIST_BOT_TOKEN: token } });
  let out = "";
  let markStarted;
  const started = new Promise((resolve) => (markStarted = resolve));
  const result = new Promise((resolve, reject) => {
    bot.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.startsWith("start\n")) markStarted();
    });
    bot.on("error", reject);
    bot.on("exit", (code) => {
      markStarted();
      if (code === 0 && out.startsWith("start\n")) resolve(JSON.parse(out.slice("start\n".length)));
      else reject(new Error(`list-page: the list bot exited with ${code}: ${out}`));
    });
  });
  return { started, result };
}

/**
 * Each full list is preceded by `aloneSamples` /healthz calls on their own,
 * after a pause that lets the server finish with the previous list (its
 * garbage collection), so both sets see the same machine and the baseline is
 * the server at rest.
 */
async function healthzDuringFullList({ baseUrl, bearerToken, lists, aloneSamples }) {
  const alone = [];
  const during = [];
  const fullLists = [];
  for (let i = 0; i < lists; i++) {
    await sleep(500);
    alone.push(...(await healthzLatencies(baseUrl, { until: () => true, min: aloneSamples })));
    let done = false;
    const { started, result } = fetchFullList(`${baseUrl}${LIST_PATH}`, bearerToken);
    const list = result.finally(() => (done = true));
    await started;
    during.push(...(await healthzLatencies(baseUrl, { until: () => done })));
    fullLists.push(await list);
  }
  return {
    aloneP99: quantile(alone, 0.99),
    duringP99: quantile(during, 0.99),
    aloneSamples: alone.length,
    duringSamples: during.length,
    fullLists,
  };
}

/** The Security page's figures on `server` (a running panel with `tokens` tokens). */
export async function measureListPage({ server, admin, bearerToken, tokens, smoke }) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const navigation = await navigationTrials(browser, { baseUrl: server.baseUrl, admin, trials: smoke ? 1 : 5 });
    const healthz = await healthzDuringFullList({ baseUrl: server.baseUrl, bearerToken, lists: smoke ? 1 : 5, aloneSamples: smoke ? 50 : 300 });
    for (const l of healthz.fullLists) {
      if (l.status !== 200 || l.items !== tokens) throw new Error(`list-page: full list answered ${l.status} with ${l.items} items, expected ${tokens}`);
    }
    return { tokens, navigation, healthz };
  } finally {
    await browser.close();
  }
}

// `node bench/list-page.mjs [--tokens 100000] [--smoke]`: these figures alone, on a fresh seeded panel.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import("node:util");
  const { mkdtempSync, rmSync } = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const { randomBytes } = await import("node:crypto");
  const { ensureBuild, startPanel } = await import("./procs.mjs");
  const { seedDatabase } = await import("./seed.mjs");
  const { mintToken } = await import("./tokens.mjs");
  const { values } = parseArgs({ options: { tokens: { type: "string", default: "100000" }, smoke: { type: "boolean", default: false } } });
  const tokens = Number(values.tokens);
  await ensureBuild();
  const dir = mkdtempSync(path.join(os.tmpdir(), "xui-list-page-"));
  const admin = { username: "bench-admin", password: randomBytes(18).toString("base64url") };
  const adminToken = { ...mintToken(), name: "bench-admin", scope: "admin" };
  const databaseUrl = `file:${path.join(dir, "panel.db")}`;
  await seedDatabase(databaseUrl, { total: tokens, known: [adminToken] });
  const server = await startPanel("list-page", { databaseUrl, admin });
  try {
    console.log(JSON.stringify(await measureListPage({ server, admin, bearerToken: adminToken.plaintext, tokens, smoke: values.smoke }), null, 1));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
