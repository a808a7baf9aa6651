// The Security page at scale, in Chromium, against a panel holding many tokens:
//   - time from navigation to the first token rows on screen,
//   - the largest token-list response the page loads,
//   - /healthz p99 while a full, unpaged token list is being built, against /healthz p99 alone.
// Called by bench/run.mjs on its largest-database server; figures go into bench/results.md.
import { chromium } from "@playwright/test";
import { quantile } from "./summary.mjs";

const PAGE_PATH = "/panel/settings/security";
const LIST_PATH = "/panel/api/setting/apiTokens";
/** Seeded filler tokens are named `bench-filler-000042` (the admin and its token are `bench-admin`). */
const ROW_TEXT = /bench-filler-\d{6}/;

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
    await new Promise((r) => setTimeout(r, 2));
  }
  return latencies;
}

/** Each full list is preceded by `aloneSamples` /healthz calls on their own, so both see the same machine. */
async function healthzDuringFullList({ baseUrl, bearerToken, lists, aloneSamples }) {
  const alone = [];
  const during = [];
  const fullLists = [];
  for (let i = 0; i < lists; i++) {
    alone.push(...(await healthzLatencies(baseUrl, { until: () => true, min: aloneSamples })));
    let done = false;
    const started = performance.now();
    const list = fetch(`${baseUrl}${LIST_PATH}`, { headers: { Authorization: `Bearer ${bearerToken}` } })
      .then(async (res) => {
        const text = await res.text();
        const items = JSON.parse(text).obj;
        return { status: res.status, bytes: Buffer.byteLength(text), items: Array.isArray(items) ? items.length : null, ms: performance.now() - started };
      })
      .finally(() => (done = true));
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
    const healthz = await healthzDuringFullList({ baseUrl: server.baseUrl, bearerToken, lists: smoke ? 1 : 3, aloneSamples: smoke ? 50 : 200 });
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
