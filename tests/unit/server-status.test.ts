import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import dgram from "node:dgram";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { socketCounts } from "@/lib/server-status/proc";
import { currentServerStatus, REFRESH_INTERVAL_MS, serverStatus, setPanelGuid, type ServerStatus } from "@/lib/server-status/snapshot";

/*
 * Runs against this machine's real /proc and /sys: no OS mocks. Each sample
 * is taken through currentServerStatus with a `now` far enough ahead that
 * the cached snapshot is too old to serve.
 */

const LINUX = process.platform === "linux";
const stale = () => Date.now() + 10 * REFRESH_INTERVAL_MS;
const freshSample = async () => await currentServerStatus(stale());

/** The snapshot as JSON text parsed back: what a client reads, if the schema lets it through (tested apart). */
const onTheWire = (status: ServerStatus): Record<string, unknown> => JSON.parse(JSON.stringify(status));

/**
 * 3x-ui's `Status` JSON tags, MHSanaei/3x-ui internal/web/service/server.go @ 02002dc
 * (`T` is `json:"-"`). `sampledAt` is this panel's extension.
 */
const STATUS_KEYS: Record<string, string[] | null> = {
  cpu: null,
  cpuCores: null,
  logicalPro: null,
  cpuSpeedMhz: null,
  mem: ["current", "total"],
  swap: ["current", "total"],
  disk: ["current", "total"],
  diskIO: ["read", "write"],
  diskTraffic: ["read", "write"],
  xray: ["state", "errorMsg", "version"],
  panelVersion: null,
  panelGuid: null,
  uptime: null,
  loads: null,
  tcpCount: null,
  udpCount: null,
  netIO: ["up", "down", "pktUp", "pktDown"],
  netTraffic: ["sent", "recv", "pktSent", "pktRecv"],
  publicIP: ["ipv4", "ipv6"],
  appStats: ["threads", "mem", "uptime"],
  sampledAt: null,
};

/**
 * Every field py3xui's `Server` model requires, by wire name (its aliases), with
 * the pydantic type: iwatkot/py3xui py3xui/server/server.py @ 21e82e2 (Server,
 * MemoryInfo, XRayInfo, NetworkIO, NetworkTraffic, PublicIP, AppStats). None has
 * a default; XRayInfo has no populate_by_name, so only `errorMsg` is accepted there.
 */
const PY3XUI_REQUIRED: [string, "int" | "float" | "str" | "list[float]"][] = [
  ["cpu", "float"],
  ["cpuCores", "int"],
  ["logicalPro", "int"],
  ["cpuSpeedMhz", "float"],
  ["mem.current", "int"],
  ["mem.total", "int"],
  ["swap.current", "int"],
  ["swap.total", "int"],
  ["disk.current", "int"],
  ["disk.total", "int"],
  ["xray.state", "str"],
  ["xray.errorMsg", "str"],
  ["xray.version", "str"],
  ["uptime", "int"],
  ["loads", "list[float]"],
  ["tcpCount", "int"],
  ["udpCount", "int"],
  ["netIO.up", "int"],
  ["netIO.down", "int"],
  ["netTraffic.sent", "int"],
  ["netTraffic.recv", "int"],
  ["publicIP.ipv4", "str"],
  ["publicIP.ipv6", "str"],
  ["appStats.threads", "int"],
  ["appStats.mem", "int"],
  ["appStats.uptime", "int"],
];

/** What pydantic v2 (lax mode) accepts from JSON for each type; problems as readable strings. */
function py3xuiProblems(obj: Record<string, unknown>): string[] {
  const accepts = {
    int: (v: unknown) => typeof v === "number" && Number.isInteger(v),
    float: (v: unknown) => typeof v === "number" && Number.isFinite(v),
    str: (v: unknown) => typeof v === "string",
    "list[float]": (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x)),
  };
  const problems: string[] = [];
  for (const [field, type] of PY3XUI_REQUIRED) {
    const value = field.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
    if (value === undefined) problems.push(`${field}: missing`);
    else if (!accepts[type](value)) problems.push(`${field}: ${JSON.stringify(value)} is not ${type}`);
  }
  return problems;
}

const isCount = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

describe("server status snapshot (this machine)", () => {
  let status: ServerStatus;
  let wire: Record<string, unknown>;
  let tcp: net.Server;
  let udp: dgram.Socket;

  beforeAll(async () => {
    // A socket of our own in each table, so the counts have something real to find.
    tcp = net.createServer();
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    udp = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
    delete process.env.PUBLIC_IPV4;
    delete process.env.PUBLIC_IPV6;
    status = await freshSample();
    wire = onTheWire(status);
  });

  afterAll(async () => {
    await new Promise((resolve) => tcp.close(resolve));
    await new Promise((resolve) => udp.close(() => resolve(undefined)));
  });

  it("has exactly 3x-ui's fields, nesting included, plus sampledAt", () => {
    expect(Object.keys(wire).sort()).toEqual(Object.keys(STATUS_KEYS).sort());
    for (const [key, nested] of Object.entries(STATUS_KEYS)) {
      if (nested) expect(Object.keys(wire[key] as object).sort(), key).toEqual([...nested].sort());
    }
  });

  it("parses through the zod schema unchanged (nothing stripped, nothing coerced)", () => {
    expect(serverStatus.safeParse(wire).error?.issues ?? []).toEqual([]);
    expect(serverStatus.parse(wire)).toEqual(wire);
  });

  it("carries every field py3xui's Server model requires, with the type it expects", () => {
    expect(py3xuiProblems(wire)).toEqual([]);
  });

  it("gives bytes and counts as non-negative integers", () => {
    const s = status;
    const ints = {
      cpuCores: s.cpuCores,
      logicalPro: s.logicalPro,
      uptime: s.uptime,
      tcpCount: s.tcpCount,
      udpCount: s.udpCount,
      sampledAt: s.sampledAt,
      ...Object.fromEntries(
        (["mem", "swap", "disk", "diskIO", "diskTraffic", "netIO", "netTraffic", "appStats"] as const).flatMap((part) =>
          Object.entries(s[part]).map(([k, v]) => [`${part}.${k}`, v]),
        ),
      ),
    };
    for (const [name, value] of Object.entries(ints)) expect(isCount(value), `${name} = ${value}`).toBe(true);
  });

  it("reports CPU figures consistent with os.cpus()", async () => {
    const online = os.cpus().length;
    expect(status.logicalPro).toBe(os.availableParallelism());
    expect(status.logicalPro).toBeLessThanOrEqual(online);
    if (LINUX) {
      expect(status.cpuCores).toBeGreaterThanOrEqual(1);
      expect(status.cpuCores).toBeLessThanOrEqual(online);
      // At most 8 threads per core (POWER's SMT8): more means logical CPUs were counted as cores' threads wrongly.
      expect(online).toBeLessThanOrEqual(8 * status.cpuCores);
      if (/^cpu MHz\s*:\s*[1-9]/m.test(await readFile("/proc/cpuinfo", "utf8"))) expect(status.cpuSpeedMhz).toBeGreaterThan(0);
    }
    expect(status.cpu).toBeGreaterThanOrEqual(0);
    expect(status.cpu).toBeLessThanOrEqual(100);
  });

  it("reports memory, swap and disk as used ≤ total", () => {
    expect(status.mem.total).toBe(os.totalmem());
    expect(status.mem.current).toBeGreaterThan(0);
    for (const part of [status.mem, status.swap, status.disk]) expect(part.current).toBeLessThanOrEqual(part.total);
    if (LINUX) expect(status.disk.total).toBeGreaterThan(0);
  });

  it("has three load averages close to os.loadavg()", () => {
    expect(status.loads).toHaveLength(3);
    os.loadavg().forEach((l, i) => {
      expect(typeof status.loads[i]).toBe("number");
      expect(Math.abs(status.loads[i]! - l)).toBeLessThan(1);
    });
  });

  it("reports Xray as stopped, with no error and no version", () => {
    expect(wire.xray).toEqual({ state: "stop", errorMsg: "", version: "" });
  });

  it("reports machine and process uptime, and this process's threads and memory", () => {
    expect(Math.abs(status.uptime - os.uptime())).toBeLessThan(5);
    expect(Math.abs(status.appStats.uptime - process.uptime())).toBeLessThan(5);
    expect(status.appStats.threads).toBeGreaterThanOrEqual(1);
    const rss = process.memoryUsage.rss();
    expect(status.appStats.mem).toBeGreaterThan(rss / 2);
    expect(status.appStats.mem).toBeLessThan(rss * 2);
  });

  it.runIf(LINUX)("counts the test's own TCP listener and UDP socket", () => {
    expect(status.tcpCount).toBeGreaterThanOrEqual(1);
    expect(status.udpCount).toBeGreaterThanOrEqual(1);
  });

  it.runIf(LINUX)("counts as many sockets as the /proc/net tables list, in both families and TIME_WAIT", async () => {
    const opened: Array<() => Promise<unknown>> = [];
    const listen = async (host: string) => {
      const server = net.createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      opened.push(() => new Promise((resolve) => server.close(resolve)));
      return server;
    };
    const v4 = await listen("127.0.0.1");
    await listen("::1");
    // Connections this side closes first leave TIME_WAIT entries behind.
    for (let i = 0; i < 3; i++) {
      const client = net.connect((v4.address() as net.AddressInfo).port, "127.0.0.1");
      await new Promise((resolve) => client.once("connect", resolve));
      client.destroy();
    }
    const udp6 = dgram.createSocket("udp6");
    await new Promise<void>((resolve) => udp6.bind(0, "::1", resolve));
    opened.push(() => new Promise((resolve) => udp6.close(() => resolve(undefined))));
    const entries = async (...tables: string[]) => {
      let n = 0;
      for (const t of tables) n += (await readFile(`/proc/net/${t}`, "utf8")).trim().split("\n").length - 1;
      return n;
    };
    try {
      // Other programs open and close sockets too: compare readings taken back to back, a few times.
      let best = Infinity;
      for (let attempt = 0; attempt < 5 && best > 0; attempt++) {
        const listed = { tcp: await entries("tcp", "tcp6"), udp: await entries("udp", "udp6") };
        const counted = await socketCounts();
        best = Math.min(best, Math.abs(listed.tcp - counted.tcp) + Math.abs(listed.udp - counted.udp));
        expect(counted.tcp).toBeGreaterThanOrEqual(5);
        expect(counted.udp).toBeGreaterThanOrEqual(2);
      }
      expect(best).toBe(0);
    } finally {
      for (const close of opened) await close();
    }
  });

  it("gives the panel version from package.json, an empty GUID until one is set, and N/A public IPs", () => {
    const pkg = JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { version: string };
    expect(status.panelVersion).toBe(pkg.version);
    expect(status.panelGuid).toBe("");
    expect(status.publicIP).toEqual({ ipv4: "N/A", ipv6: "N/A" });
  });

  it("takes the GUID and public IPs set before a sample", async () => {
    process.env.PUBLIC_IPV4 = "203.0.113.7";
    setPanelGuid("7f3c2a9e-guid");
    try {
      const next = await freshSample();
      expect(next.publicIP).toEqual({ ipv4: "203.0.113.7", ipv6: "N/A" });
      expect(next.panelGuid).toBe("7f3c2a9e-guid");
    } finally {
      delete process.env.PUBLIC_IPV4;
      setPanelGuid("");
    }
  });

  it("turns counters since boot into per-second rates between samples", async () => {
    const a = await freshSample();
    await new Promise((r) => setTimeout(r, 50));
    const b = await freshSample();
    for (const k of ["sent", "recv", "pktSent", "pktRecv"] as const) expect(b.netTraffic[k]).toBeGreaterThanOrEqual(a.netTraffic[k]);
    for (const k of ["read", "write"] as const) expect(b.diskTraffic[k]).toBeGreaterThanOrEqual(a.diskTraffic[k]);
    const seconds = (b.sampledAt - a.sampledAt) / 1000;
    // Rates come from a monotonic clock, sampledAt from the wall clock: allow for the difference.
    const slack = (n: number) => n / Math.max(seconds, 0.001) * 1.5 + 1;
    expect(b.netIO.up).toBeLessThanOrEqual(slack(b.netTraffic.sent - a.netTraffic.sent));
    expect(b.netIO.down).toBeLessThanOrEqual(slack(b.netTraffic.recv - a.netTraffic.recv));
    expect(b.diskIO.write).toBeLessThanOrEqual(slack(b.diskTraffic.write - a.diskTraffic.write));
  });

  it("samples at most once per refresh interval: within it, every caller gets the same object", async () => {
    const s = await freshSample();
    expect(await currentServerStatus(s.sampledAt)).toBe(s);
    expect(await currentServerStatus(s.sampledAt + REFRESH_INTERVAL_MS - 1)).toBe(s);
    // Past the interval, many callers at once start one sample between them.
    const [x, y] = await Promise.all([currentServerStatus(stale()), currentServerStatus(stale())]);
    expect(x).toBe(y);
  });
});
