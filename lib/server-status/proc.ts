import "server-only";
import { readdir, readFile, readlink, statfs } from "node:fs/promises";
import os from "node:os";

/*
 * Machine figures from /proc and /sys, read asynchronously. Every reader
 * tolerates a missing or unreadable file (not Linux, a locked-down container)
 * and answers zeros or Node's portable figure instead of throwing.
 */

async function text(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

const toInt = (s: string | undefined) => {
  const n = Number(s);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
};

/** Jiffies since boot, split the way 3x-ui's CPUPercentRaw does: iowait counts as idle, steal as busy. */
export interface CpuTimes {
  idle: number;
  total: number;
}

export async function cpuTimes(): Promise<CpuTimes> {
  const line = (await text("/proc/stat"))?.split("\n", 1)[0];
  const f = line?.startsWith("cpu ") ? line.trim().split(/\s+/).slice(1).map(toInt) : [];
  if (f.length >= 4) {
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    const idleAll = idle + iowait;
    return { idle: idleAll, total: idleAll + user + nice + system + irq + softirq + steal };
  }
  let idle = 0;
  let total = 0;
  for (const { times: t } of os.cpus()) {
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

export interface Usage {
  current: number;
  total: number;
}

/** Memory in use as gopsutil counts it (total minus MemAvailable), and swap (total minus free). */
export async function memoryAndSwap(): Promise<{ mem: Usage; swap: Usage }> {
  const info = await text("/proc/meminfo");
  const kb = (field: string) => {
    const m = info && new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(info);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = os.totalmem();
  const available = kb("MemAvailable");
  const mem = { current: Math.max(0, total - (available ?? os.freemem())), total };
  const swapTotal = kb("SwapTotal") ?? 0;
  const swap = { current: Math.max(0, swapTotal - (kb("SwapFree") ?? swapTotal)), total: swapTotal };
  return { mem, swap };
}

/** Usage of the root filesystem, as 3x-ui reports it (`disk.Usage("/")`). */
export async function diskUsage(): Promise<Usage> {
  try {
    const s = await statfs("/");
    const total = s.blocks * s.bsize;
    return { current: Math.max(0, total - s.bfree * s.bsize), total };
  } catch {
    return { current: 0, total: 0 };
  }
}

export interface CpuTopology {
  /** Physical cores (gopsutil's `cpu.Counts(false)`); 0 when unknown. */
  physicalCores: number;
  /** Max frequency where cpufreq says it, else the first `cpu MHz` (gopsutil's `cpu.Info()[0].Mhz`). */
  speedMhz: number;
}

/** Static for the life of the machine: callers read it once. */
export async function cpuTopology(): Promise<CpuTopology> {
  const info = (await text("/proc/cpuinfo")) ?? "";
  const cores = new Set<string>();
  let firstMhz = 0;
  for (const block of info.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, "mi").exec(block)?.[1]?.trim();
    const core = field("core id");
    if (core !== undefined) cores.add(`${field("physical id") ?? ""}:${core}`);
    if (!firstMhz) firstMhz = Number(field("cpu MHz")) || 0;
  }
  const physicalCores = cores.size || (await sysfsCoreCount());

  let speedMhz = Number((await text("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"))?.trim()) / 1000 || 0;
  if (speedMhz > 9999) speedMhz /= 1000; // some drivers report Hz, not kHz
  speedMhz ||= firstMhz || os.cpus()[0]?.speed || 0;
  return { physicalCores, speedMhz };
}

/** Where /proc/cpuinfo has no `core id` (ARM): distinct sibling sets in sysfs. */
async function sysfsCoreCount(): Promise<number> {
  const base = "/sys/devices/system/cpu";
  let cpus: string[];
  try {
    cpus = (await readdir(base)).filter((n) => /^cpu\d+$/.test(n));
  } catch {
    return 0;
  }
  const lists = await Promise.all(
    cpus.map(async (c) => (await text(`${base}/${c}/topology/core_cpus_list`)) ?? (await text(`${base}/${c}/topology/thread_siblings_list`))),
  );
  return new Set(lists.filter((l) => l !== undefined).map((l) => l.trim())).size;
}

/** Names in /sys/block backed by hardware; undefined when /sys is not there. */
async function hardwareDisks(): Promise<Set<string> | undefined> {
  try {
    const names = await readdir("/sys/block");
    const targets = await Promise.all(names.map((n) => readlink(`/sys/block/${n}`).catch(() => "")));
    return new Set(names.filter((_, i) => !targets[i]!.includes("/virtual/")));
  } catch {
    return undefined;
  }
}

/**
 * Bytes read and written since boot, from /proc/diskstats (512-byte sectors).
 * Whole hardware disks only: partitions, dm/md, loop and zram re-count the same
 * I/O. Without /sys every line counts, as gopsutil does.
 */
export async function diskTraffic(): Promise<{ read: number; write: number }> {
  const [stats, disks] = await Promise.all([text("/proc/diskstats"), hardwareDisks()]);
  let read = 0;
  let write = 0;
  for (const line of stats?.split("\n") ?? []) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    // /sys/block spells a "/" in a device name as "!"
    if (disks && !disks.has(f[2]!.replaceAll("/", "!"))) continue;
    read += toInt(f[5]) * 512;
    write += toInt(f[9]) * 512;
  }
  return { read, write };
}

/** 3x-ui's isVirtualInterface: loopback, bridges, container and VPN links carry no traffic of their own. */
const VIRTUAL_PREFIXES = ["loopback", "docker", "br-", "veth", "virbr", "tun", "tap", "wg", "tailscale", "zt"];
const isVirtualInterface = (name: string) => name === "lo" || name === "lo0" || VIRTUAL_PREFIXES.some((p) => name.startsWith(p));

export interface NetCounters {
  sent: number;
  recv: number;
  pktSent: number;
  pktRecv: number;
}

/** Totals since boot over real interfaces, from /proc/net/dev. */
export async function netTraffic(): Promise<NetCounters> {
  const totals = { sent: 0, recv: 0, pktSent: 0, pktRecv: 0 };
  for (const line of (await text("/proc/net/dev"))?.split("\n").slice(2) ?? []) {
    const colon = line.indexOf(":");
    if (colon < 0 || isVirtualInterface(line.slice(0, colon).trim().toLowerCase())) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (f.length < 10) continue;
    totals.recv += toInt(f[0]);
    totals.pktRecv += toInt(f[1]);
    totals.sent += toInt(f[8]);
    totals.pktSent += toInt(f[9]);
  }
  return totals;
}

/** `TCP: inuse 3 orphan 0 tw 1 …` → { inuse: 3, orphan: 0, tw: 1, … } for the line of `protocol`. */
function sockstatFields(table: string | undefined, protocol: string): Record<string, number> {
  const line = table?.split("\n").find((l) => l.startsWith(`${protocol}:`));
  const fields: Record<string, number> = {};
  const words = line?.slice(protocol.length + 1).trim().split(/\s+/) ?? [];
  for (let i = 0; i + 1 < words.length; i += 2) fields[words[i]!] = toInt(words[i + 1]);
  return fields;
}

/**
 * TCP and UDP sockets, as many as /proc/net/{tcp,tcp6,udp,udp6} list (what
 * 3x-ui counts), taken from the kernel's counters in /proc/net/sockstat{,6}:
 * generating those tables walks the whole socket hash, milliseconds of CPU
 * even when empty and far more on a proxy with many connections.
 */
export async function socketCounts(): Promise<{ tcp: number; udp: number }> {
  const [v4, v6] = await Promise.all([text("/proc/net/sockstat"), text("/proc/net/sockstat6")]);
  const tcp = sockstatFields(v4, "TCP");
  // TIME_WAIT sockets of both families are counted once, in `tw`.
  return {
    tcp: (tcp.inuse ?? 0) + (tcp.tw ?? 0) + (sockstatFields(v6, "TCP6").inuse ?? 0),
    udp: (sockstatFields(v4, "UDP").inuse ?? 0) + (sockstatFields(v6, "UDP6").inuse ?? 0),
  };
}

/** This process: OS threads (0 when unknown) and resident memory in bytes. */
export async function selfStats(): Promise<{ threads: number; rss: number }> {
  const status = await text("/proc/self/status");
  const threads = toInt(status && /^Threads:\s+(\d+)/m.exec(status)?.[1]);
  const rssKb = status && /^VmRSS:\s+(\d+)\s*kB/m.exec(status)?.[1];
  return { threads, rss: rssKb ? toInt(rssKb) * 1024 : process.memoryUsage.rss() };
}

/** `version` of the package.json in the working directory (scripts/server.mts runs from the repo root); "" when unreadable. */
export async function packageVersion(): Promise<string> {
  try {
    const version: unknown = JSON.parse((await text(`${process.cwd()}/package.json`)) ?? "{}").version;
    return typeof version === "string" ? version : "";
  } catch {
    return "";
  }
}
