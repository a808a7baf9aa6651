import ipaddr from "ipaddr.js";

/**
 * Per-token IP allowlists: IPv4/IPv6 addresses and CIDR ranges (a bare address
 * is a /32 or /128). Entries are normalised when saved, so the stored list is
 * canonical and comparisons never re-parse user input.
 */
export const MAX_ALLOWED_IPS = 100;

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // ipaddr.js also accepts "127.1" and "0x7f.0.0.1"; an allowlist should only hold what humans write.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) {
    const v6 = ipaddr.IPv6.parse(text);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return null;
}

/** Canonical CIDR for one entry, or null if it is not an address or range. */
export function normalizeAllowedIp(entry: string): string | null {
  const text = entry.trim();
  if (!text || text.length > 64) return null;
  const [addressPart, bitsPart, extra] = text.split("/");
  if (extra !== undefined || !addressPart) return null;
  const address = parseAddress(addressPart);
  if (!address) return null;
  const max = address.kind() === "ipv4" ? 32 : 128;
  let bits = max;
  if (bitsPart !== undefined) {
    if (!/^\d{1,3}$/.test(bitsPart)) return null;
    bits = Number(bitsPart);
    if (bits > max) return null;
  }
  // Keep the network address: "10.1.2.3/8" means 10.0.0.0/8.
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}

export type IpMatcher = (ip: string) => boolean;

/** A matcher for a stored (normalised) list; `null` when the list is empty (= anywhere). */
export function compileAllowlist(normalized: readonly string[]): IpMatcher | null {
  if (normalized.length === 0) return null;
  const ranges: Range[] = normalized.map((cidr) => ipaddr.parseCIDR(cidr));
  return (ip) => {
    const address = parseAddress(ip);
    if (!address) return false;
    return ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  };
}
