import { isIP } from "node:net";

/**
 * Set by our server (scripts/server.mjs) from the TCP socket on every request,
 * overwriting anything a client sent under that name.
 */
export const SOCKET_ADDRESS_HEADER = "x-xui-socket-address";

function normalize(ip: string): string {
  const v = ip.trim();
  // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v);
  return mapped ? mapped[1]! : v.toLowerCase();
}

/**
 * The caller's IP. Without trusted proxies it is the socket address, whatever
 * `X-Forwarded-For` says (any client can send that header). With `hops`
 * trusted proxies, each of which appends the address it received from, the
 * client is the `hops`-th address from the right of `X-Forwarded-For`.
 */
export function clientIp(headers: Headers, trustProxyHops: number): string {
  const raw = headers.get(SOCKET_ADDRESS_HEADER) ?? "";
  // A bot's requests come from one address, over and over: its answer is remembered.
  const socket = raw === lastSocket.raw ? lastSocket.ip : rememberSocket(raw);
  if (trustProxyHops > 0) {
    const chain = (headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => normalize(s))
      .filter(Boolean);
    const candidate = chain[chain.length - trustProxyHops];
    if (candidate && isIP(candidate)) return candidate;
  }
  return socket;
}

/** The last socket address seen, and what it normalizes to ("unknown" if it is not an IP). */
const lastSocket = { raw: "", ip: "unknown" };

function rememberSocket(raw: string): string {
  const ip = normalize(raw);
  lastSocket.raw = raw;
  lastSocket.ip = isIP(ip) ? ip : "unknown";
  return lastSocket.ip;
}

/** Whether the browser reached us over HTTPS (directly or via a trusted proxy). */
export function isHttps(headers: Headers, url: string, trustProxyHops: number): boolean {
  if (trustProxyHops > 0) {
    const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    if (proto) return proto === "https";
  }
  return url.startsWith("https:");
}
