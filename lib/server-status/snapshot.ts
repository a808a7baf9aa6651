import { readFile, statfs } from "node:fs/promises";
import os from "node:os";
import { z } from "zod";

/** `GET /panel/api/server/status` payload. Bytes are integers. */
export const serverStatus = z.object({
  /** Busy share of all cores since the previous sample, percent (0–100, one decimal). */
  cpu: z.number(),
  cpuCores: z.number().int(),
  mem: z.object({ current: z.number().int(), total: z.number().int() }),
  swap: z.object({ current: z.number().int(), total: z.number().int() }),
  disk: z.object({ current: z.number().int(), total: z.number().int() }),
  load: z.object({ load1: z.number(), load5: z.number(), load15: z.number() }),
  /** Machine uptime, seconds. */
  uptime: z.number().int(),
  /** This panel process's uptime, seconds. */
  appUptime: z.number().int(),
  /** Unix ms when these figures were read. */
  sampledAt: z.number().int(),
});
export type ServerStatus = z.output<typeof serverStatus>;

/** A request never triggers more than one sample per this interval. */
export const REFRESH_INTERVAL_MS = 2_000;

interface CpuTimes {
  idle: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Swap from /proc/meminfo (Linux); zeros where it is not available. */
async function swapUsage(): Promise<{ current: number; total: number }> {
  try {
    const text = await readFile("/proc/meminfo", "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0) * 1024;
    const total = kb("SwapTotal");
    return { current: Math.max(0, total - kb("SwapFree")), total };
  } catch {
    return { current: 0, total: 0 };
  }
}

/** Memory in use as the kernel sees it: total minus what is available to new work. */
async function memoryUsage(): Promise<{ current: number; total: number }> {
  const total = os.totalmem();
  try {
    const text = await readFile("/proc/meminfo", "utf8");
    const available = Number(/^MemAvailable:\s+(\d+)/m.exec(text)?.[1]);
    if (Number.isFinite(available)) return { current: Math.max(0, total - available * 1024), total };
  } catch {
    // not Linux: fall through
  }
  return { current: total - os.freemem(), total };
}

async function diskUsage(): Promise<{ current: number; total: number }> {
  try {
    const s = await statfs(process.cwd());
    const total = s.blocks * s.bsize;
    return { current: total - s.bfree * s.bsize, total };
  } catch {
    return { current: 0, total: 0 };
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

interface SamplerState {
  snapshot?: ServerStatus;
  refreshing?: Promise<ServerStatus>;
  lastCpu: CpuTimes;
}

const state: SamplerState = ((globalThis as Record<symbol, SamplerState>)[Symbol.for("xui-panel.status")] ??= {
  lastCpu: cpuTimes(),
});

async function sample(): Promise<ServerStatus> {
  const [mem, swap, disk] = await Promise.all([memoryUsage(), swapUsage(), diskUsage()]);
  const cpuNow = cpuTimes();
  const dTotal = cpuNow.total - state.lastCpu.total;
  const dIdle = cpuNow.idle - state.lastCpu.idle;
  state.lastCpu = cpuNow;
  const [load1 = 0, load5 = 0, load15 = 0] = os.loadavg();
  // Frozen, nested parts too: one snapshot answers many requests, and apiRoute
  // shapes a frozen result once rather than on every request.
  return deepFreeze({
    cpu: dTotal > 0 ? round1(Math.min(100, Math.max(0, (1 - dIdle / dTotal) * 100))) : 0,
    cpuCores: os.cpus().length,
    mem,
    swap,
    disk,
    load: { load1: round2(load1), load5: round2(load5), load15: round2(load15) },
    uptime: Math.floor(os.uptime()),
    appUptime: Math.floor(process.uptime()),
    sampledAt: Date.now(),
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === "object" && child !== null) deepFreeze(child);
  return Object.freeze(value);
}

function refresh(): Promise<ServerStatus> {
  state.refreshing ??= sample()
    .then((s) => (state.snapshot = s))
    .finally(() => (state.refreshing = undefined));
  return state.refreshing;
}

/** Older than this, a snapshot is not served while a new one is taken: the request waits for it. */
const MAX_SERVED_AGE_MS = 3 * REFRESH_INTERVAL_MS;

/**
 * The latest snapshot. Under steady traffic requests never wait: a snapshot
 * older than 2 s is served as is while one background refresh runs, so the
 * machine is sampled at most every 2 s however many requests arrive (and not
 * at all while nobody asks). After a quiet spell the first request waits for a
 * fresh sample rather than being handed old figures. (Synchronous when it has
 * a snapshot to serve: no promise per request.)
 */
export function currentServerStatus(now = Date.now()): ServerStatus | Promise<ServerStatus> {
  const snapshot = state.snapshot;
  if (!snapshot || now - snapshot.sampledAt >= MAX_SERVED_AGE_MS) return refresh();
  if (now - snapshot.sampledAt >= REFRESH_INTERVAL_MS) void refresh().catch(() => undefined);
  return snapshot;
}
