import { readFileSync } from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrowserSession, request } from "../support/client";
import { recordFigures } from "../support/figures";
import { seedFillerTokens } from "../support/seed";
import { startPanelServer, type PanelServer } from "../support/server";

/**
 * The unpaged list at 100,000 tokens, on a server of its own. Built in one
 * piece it held the event loop for seconds (a /healthz meanwhile took 5.1 s);
 * streamed in batches, /healthz requests sent while it runs must come back
 * long before it ends, and the body must still be exactly the peer's array.
 * Timings are compared with each other (this machine is shared), never with
 * fixed limits.
 */
const TOKENS = 100_000;
const ADMIN = { username: "admin", password: "full-list-password-1" };
let server: PanelServer;
let session: BrowserSession;

beforeAll(async () => {
  server = await startPanelServer({ env: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });
  await seedFillerTokens(server.databaseUrl, TOKENS);
  session = new BrowserSession(server.baseUrl);
  expect((await session.login(ADMIN.username, ADMIN.password)).json?.success).toBe(true);
}, 120_000);
afterAll(() => server?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
async function healthz(): Promise<number> {
  const started = performance.now();
  const res = await request(server.baseUrl, "/healthz");
  expect(res.status).toBe(200);
  return performance.now() - started;
}
/** The server's peak resident memory so far (VmHWM), in MB. */
const peakRssMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.process.pid}/status`, "utf8"))![1]) / 1024;

describe(`GET /panel/api/setting/apiTokens at ${TOKENS.toLocaleString("en")} tokens`, () => {
  it("keeps answering /healthz while it streams, and the body is exactly every view in id order", async () => {
    // Warm both routes first (Next compiles nothing in production, but the first calls fill caches).
    for (let i = 0; i < 20; i++) await healthz();
    await session.send("/panel/api/setting/apiTokens?limit=1");
    const quiet: number[] = [];
    for (let i = 0; i < 100; i++) {
      quiet.push(await healthz());
      await sleep(5);
    }
    const rssBefore = peakRssMb();

    const started = performance.now();
    let finished = 0;
    // Read raw: the body is joined and parsed only after the clock stops, so this process is idle meanwhile.
    const listing = new Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: Buffer[] }>((resolve, reject) => {
      const req = http.get(`${server.baseUrl}/panel/api/setting/apiTokens`, { headers: { cookie: `3x-ui=${session.cookie}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          finished = performance.now();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks });
        });
        res.on("error", reject);
      });
      req.on("error", reject);
    });
    const during: { at: number; took: number }[] = [];
    while (!finished) {
      const at = performance.now() - started;
      const took = await healthz();
      during.push({ at, took });
      await sleep(5);
    }
    const raw = await listing;
    const listMs = finished - started;
    const res = { status: raw.status, headers: new Headers(raw.headers as Record<string, string>), text: Buffer.concat(raw.chunks).toString("utf8") };
    const duringMs = during.map((d) => d.took);

    const figures = {
      tokens: TOKENS,
      bodyMB: Math.round(res.text.length / 1e5) / 10,
      listMs: Math.round(listMs),
      healthzQuietP50: percentile(quiet, 50).toFixed(1),
      healthzQuietP99: percentile(quiet, 99).toFixed(1),
      healthzDuringP50: percentile(duringMs, 50).toFixed(1),
      healthzDuringP99: percentile(duringMs, 99).toFixed(1),
      healthzDuringMax: Math.max(...duringMs).toFixed(1),
      healthzDuringCount: during.length,
      serverPeakRssMB: { before: Math.round(rssBefore), after: Math.round(peakRssMb()) },
    };
    recordFigures("full-list-healthz", figures);

    // The list took long enough for the probes to mean something, and each came back long before it ended.
    expect(during.length, JSON.stringify(figures)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...duringMs), JSON.stringify(figures)).toBeLessThan(listMs / 5);
    expect(percentile(duringMs, 99), JSON.stringify(figures)).toBeLessThan(listMs / 10);
    // Memory holds a batch, not the answer (built in one piece, the peak grew by about 110 MB).
    expect(figures.serverPeakRssMB.after - figures.serverPeakRssMB.before, JSON.stringify(figures)).toBeLessThan(50);

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const envelope = JSON.parse(res.text) as { success: boolean; msg: string; obj: { id: number; name: string }[] };
    expect(Object.keys(envelope)).toEqual(["success", "msg", "obj"]);
    expect(envelope.success).toBe(true);
    expect(envelope.msg).toBe("");
    const views = envelope.obj;
    expect(views).toHaveLength(TOKENS);
    const outOfOrder = views.findIndex((v, i) => v.id !== i + 1 || v.name !== `seed-${String(i + 1).padStart(6, "0")}`);
    expect(outOfOrder).toBe(-1);
    const keys = Object.keys(views[0]!).sort().join(",");
    expect(views.every((v) => Object.keys(v).sort().join(",") === keys)).toBe(true);
    expect(keys).not.toMatch(/hash|token/i);
  });

  it("pages stay small and fast to find at this size", async () => {
    const page = await session.send<{ items: unknown[]; total: number; nextCursor: string }>("/panel/api/setting/apiTokens?limit=200&sort=name");
    expect(page.json!.obj!.items).toHaveLength(200);
    expect(page.json!.obj!.total).toBe(TOKENS);
    expect(page.text.length).toBeLessThan(100_000);
    const found = await session.send<{ items: { name: string }[]; total: number }>("/panel/api/setting/apiTokens?q=seed-09999");
    expect(found.json!.obj!.items.map((v) => v.name)).toEqual(Array.from({ length: 10 }, (_, i) => `seed-09999${9 - i}`));
    expect(found.json!.obj!.total).toBe(10);
  });
});
