import "server-only";
import { z } from "zod";
import os from "node:os";
import {
  cpuTimes,
  cpuTopology,
  diskTraffic,
  diskUsage,
  memoryAndSwap,
  netTraffic,
  packageVersion,
  selfStats,
  socketCounts,
  type CpuTimes,
  type CpuTopology,
  type NetCounters,
} from "./proc";

const bytes = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const usage = z.object({ current: bytes, total: bytes });

/**
 * `GET /panel/api/server/status` payload: 3x-ui's `Status` struct
 * (MHSanaei/3x-ui internal/web/service/server.go @ 02002dc), field for field,
 * so 3x-ui clients (py3xui, peer panels) read it unchanged. Bytes and counts
 * are integers. `sampledAt` is ours.
 */
export const serverStatus = z.object({
  /** Busy share of all cores since the previous sample, percent (0–100, one decimal). */
  cpu: z.number(),
  /** Physical cores. */
  cpuCores: count,
  /** Logical processors this process may run on (Go's runtime.NumCPU). */
  logicalPro: count,
  cpuSpeedMhz: z.number(),
  mem: usage,
  swap: usage,
  /** Root filesystem. */
  disk: usage,
  /** Bytes per second between the last two samples. */
  diskIO: z.object({ read: bytes, write: bytes }),
  /** Bytes since boot. */
  diskTraffic: z.object({ read: bytes, write: bytes }),
  /** No Xray runs beside this panel: always stopped. */
  xray: z.object({ state: z.enum(["running", "stop", "error"]), errorMsg: z.string(), version: z.string() }),
  panelVersion: z.string(),
  /** Stable per database; "" until the caller sets it (setPanelGuid). */
  panelGuid: z.string(),
  /** Machine uptime, seconds. */
  uptime: count,
  /** 1, 5 and 15 minute load averages. */
  loads: z.tuple([z.number(), z.number(), z.number()]),
  tcpCount: count,
  udpCount: count,
  /** Bytes and packets per second between the last two samples. */
  netIO: z.object({ up: bytes, down: bytes, pktUp: count, pktDown: count }),
  /** Bytes and packets since boot, loopback and virtual interfaces left out. */
  netTraffic: z.object({ sent: bytes, recv: bytes, pktSent: count, pktRecv: count }),
  /** From PUBLIC_IPV4 / PUBLIC_IPV6; "N/A" as in 3x-ui when not known. */
  publicIP: z.object({ ipv4: z.string(), ipv6: z.string() }),
  /** This panel process: OS threads, resident memory in bytes, uptime in seconds. */
  appStats: z.object({ threads: count, mem: bytes, uptime: count }),
  /** Unix ms when these figures were read. */
  sampledAt: z.number().int(),
});
export type ServerStatus = z.output<typeof serverStatus>;

/** A request never triggers more than one sample per this interval. */
export const REFRESH_INTERVAL_MS = 2_000;

interface Counters {
  /** performance.now() of the reading: rates need a clock that does not jump. */
  at: number;
  net: NetCounters;
  disk: { read: number; write: number };
}

interface SamplerState {
  snapshot?: ServerStatus;
  refreshing?: Promise<ServerStatus>;
  /** Undefined before the first sample, which then reports the average since boot. */
  lastCpu?: CpuTimes;
  lastCounters?: Counters;
  topology?: Promise<CpuTopology>;
  panelVersion?: Promise<string>;
  panelGuid: string;
}

// On globalThis so dev reloads of this module keep one sampler (and its baselines).
const state: SamplerState = ((globalThis as Record<symbol, SamplerState>)[Symbol.for("xui-panel.status.v2")] ??= {
  panelGuid: "",
});
state.panelVersion ??= packageVersion();

/** Hook for the per-database panel GUID; it appears from the next sample on. */
export function setPanelGuid(guid: string): void {
  state.panelGuid = guid;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Per second over `seconds`; 0 on the first sample or when a counter went back (interface gone, reset). */
const rate = (now: number, before: number | undefined, seconds: number) =>
  before === undefined || seconds <= 0 || now < before ? 0 : Math.floor((now - before) / seconds);

async function sample(): Promise<ServerStatus> {
  state.topology ??= cpuTopology();
  const [cpuNow, { mem, swap }, disk, diskNow, netNow, sockets, self, topology, panelVersion] = await Promise.all([
    cpuTimes(),
    memoryAndSwap(),
    diskUsage(),
    diskTraffic(),
    netTraffic(),
    socketCounts(),
    selfStats(),
    state.topology,
    state.panelVersion!,
  ]);
  const counters: Counters = { at: performance.now(), net: netNow, disk: diskNow };

  const prevCpu = state.lastCpu ?? { idle: 0, total: 0 };
  const dTotal = cpuNow.total - prevCpu.total;
  const dIdle = cpuNow.idle - prevCpu.idle;
  const prev = state.lastCounters;
  const seconds = prev ? (counters.at - prev.at) / 1000 : 0;
  state.lastCpu = cpuNow;
  state.lastCounters = counters;

  const [load1 = 0, load5 = 0, load15 = 0] = os.loadavg();
  // Frozen, nested parts too: one snapshot answers every request for 2 s, and a
  // frozen result is shaped and serialized once (lib/api/frozen-body.ts).
  return deepFreeze({
    cpu: dTotal > 0 ? round1(Math.min(100, Math.max(0, (1 - dIdle / dTotal) * 100))) : 0,
    cpuCores: topology.physicalCores,
    logicalPro: os.availableParallelism(),
    cpuSpeedMhz: topology.speedMhz,
    mem,
    swap,
    disk,
    diskIO: {
      read: rate(diskNow.read, prev?.disk.read, seconds),
      write: rate(diskNow.write, prev?.disk.write, seconds),
    },
    diskTraffic: diskNow,
    xray: { state: "stop" as const, errorMsg: "", version: "" },
    panelVersion,
    panelGuid: state.panelGuid,
    uptime: Math.floor(os.uptime()),
    loads: [round2(load1), round2(load5), round2(load15)] as [number, number, number],
    tcpCount: sockets.tcp,
    udpCount: sockets.udp,
    netIO: {
      up: rate(netNow.sent, prev?.net.sent, seconds),
      down: rate(netNow.recv, prev?.net.recv, seconds),
      pktUp: rate(netNow.pktSent, prev?.net.pktSent, seconds),
      pktDown: rate(netNow.pktRecv, prev?.net.pktRecv, seconds),
    },
    netTraffic: netNow,
    publicIP: { ipv4: process.env.PUBLIC_IPV4?.trim() || "N/A", ipv6: process.env.PUBLIC_IPV6?.trim() || "N/A" },
    appStats: { threads: self.threads, mem: self.rss, uptime: Math.floor(process.uptime()) },
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
 * fresh sample rather than being handed old figures.
 */
export async function currentServerStatus(now = Date.now()): Promise<ServerStatus> {
  const snapshot = state.snapshot;
  if (!snapshot || now - snapshot.sampledAt >= MAX_SERVED_AGE_MS) return refresh();
  if (now - snapshot.sampledAt >= REFRESH_INTERVAL_MS) void refresh().catch(() => undefined);
  return snapshot;
}
