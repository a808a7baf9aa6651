import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { compileAllowlist, normalizeAllowedIp } from "@/lib/tokens/ip-allowlist";
import { SOCKET_ADDRESS_HEADER } from "./edge";

export { SOCKET_ADDRESS_HEADER };

/**
 * The reverse proxies named by `TRUST_PROXY`: only a request whose TCP peer is
 * one of them may tell us, through `X-Forwarded-*`, who the client is.
 */
export interface TrustedProxies {
  /** Whether `ip` lies in one of the ranges (IPv4-mapped IPv6 matches IPv4 ranges). */
  has(ip: string): boolean;
  /** The canonical CIDR ranges, e.g. `["10.0.0.0/8", "::1/128"]`. */
  readonly ranges: readonly string[];
}

/**
 * A matcher for addresses and CIDR ranges (`10.0.0.1`, `10.0.0.0/8`, `::1`);
 * null for an empty list (trust nobody). Throws on an entry that is neither.
 */
export function compileTrustedProxies(entries: readonly string[]): TrustedProxies | null {
  const ranges = [...new Set(entries.map((entry) => {
    const cidr = normalizeAllowedIp(entry);
    if (!cidr) throw new Error(`not an IP address or CIDR range: ${JSON.stringify(entry)}`);
    return cidr;
  }))];
  const match = compileAllowlist(ranges);
  if (!match) return null;
  return Object.freeze({
    has: (ip: string) => {
      const canonical = canonicalIp(ip);
      return canonical !== null && match(canonical);
    },
    ranges: Object.freeze(ranges),
  });
}

/**
 * One address as a socket or a proxy wrote it, in canonical form (IPv4-mapped
 * IPv6 unwrapped, IPv6 lower-case and compressed), or null if it is not one.
 */
function canonicalIp(text: string): string | null {
  let v = text.trim();
  // Some proxies write [v6], [v6]:port or v4:port; the port says nothing about who the client is.
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(v);
  if (bracketed) {
    v = bracketed[1]!;
    if (isIP(v) !== 6) return null;
  } else {
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(v);
    if (withPort) v = withPort[1]!;
  }
  // node's isIP is strict (no "127.1", "0x7f.0.0.1"), unlike ipaddr.js's parser.
  if (!isIP(v)) return null;
  // An IPv4 peer on a dual-stack socket shows up as ::ffff:a.b.c.d; process() unwraps it.
  return ipaddr.process(v).toString();
}

function socketAddress(headers: Headers): string {
  return canonicalIp(headers.get(SOCKET_ADDRESS_HEADER) ?? "") ?? "unknown";
}

/**
 * The caller's IP. Unless the TCP peer is a trusted proxy it is the socket
 * address, whatever `X-Forwarded-For` says (any client can send that header).
 * Behind trusted proxies, each of which appends the address it received from,
 * `X-Forwarded-For` is walked from the right past the trusted proxies: the
 * first address that is not one is the client. Everything left of it may be the
 * client's invention, so a malformed entry ends the walk at the last trusted
 * address seen rather than reading further left.
 */
export function clientIp(headers: Headers, trust: TrustedProxies | null): string {
  const socket = socketAddress(headers);
  if (!trust?.has(socket)) return socket;
  const forwarded = headers.get("x-forwarded-for");
  if (!forwarded?.trim()) return socket;
  const chain = forwarded.split(",");
  let nearest = socket;
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = canonicalIp(chain[i]!);
    if (ip === null) break;
    if (!trust.has(ip)) return ip;
    nearest = ip;
  }
  return nearest;
}

/** Whether the browser reached us over HTTPS (directly or via a trusted proxy). */
export function isHttps(headers: Headers, url: string, trust: TrustedProxies | null): boolean {
  if (trust?.has(socketAddress(headers))) {
    // The rightmost value is the one our peer wrote; any before it may come from the client.
    const proto = headers.get("x-forwarded-proto")?.split(",").pop()?.trim().toLowerCase();
    if (proto) return proto === "https";
  }
  return url.startsWith("https:");
}
