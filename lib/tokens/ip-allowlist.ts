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
  let address = parseAddress(addressPart);
  if (!address) return null;
  let bits = address.kind() === "ipv4" ? 32 : 128;
  if (bitsPart !== undefined) {
    if (!/^\d{1,3}$/.test(bitsPart)) return null;
    bits = Number(bitsPart);
    // An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) is the IPv4 range it maps (10.0.0.0/8);
    // one wider than the mapped block (/95 and less) is the IPv6 range it names.
    if (address.kind() === "ipv4" && !ipaddr.IPv4.isValidFourPartDecimal(addressPart)) {
      if (bits >= 96) bits -= 96;
      else address = ipaddr.IPv6.parse(addressPart);
    }
    if (bits > (address.kind() === "ipv4" ? 32 : 128)) return null;
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
