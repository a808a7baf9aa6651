import { MAX_ALLOWED_IPS, normalizeAllowedIp } from "@/lib/tokens/ip-allowlist";

export interface ParsedAllowlist {
  /** Normalised and de-duplicated, as the server will store them. */
  entries: string[];
  /** Every entry that is not an address or range, as typed. */
  bad: string[];
  error?: string;
}

/** One entry per line (commas and spaces also separate), checked with the server's own rule. */
export function parseAllowlist(text: string): ParsedAllowlist {
  const typed = text.split(/[\s,]+/).filter(Boolean);
  const entries: string[] = [];
  const bad: string[] = [];
  for (const entry of typed) {
    const normalized = normalizeAllowedIp(entry);
    if (normalized === null) bad.push(entry);
    else if (!entries.includes(normalized)) entries.push(normalized);
  }
  const quoted = bad.map((b) => `“${b.length > 60 ? `${b.slice(0, 60)}…` : b}”`);
  const error =
    bad.length === 1
      ? `${quoted[0]} is not an IP address or CIDR range (e.g. 203.0.113.0/24).`
      : bad.length > 1
        ? `These are not IP addresses or CIDR ranges: ${quoted.join(", ")}.`
        : entries.length > MAX_ALLOWED_IPS
          ? `An allowlist holds at most ${MAX_ALLOWED_IPS} entries; this one has ${entries.length}.`
          : undefined;
  return { entries, bad, error };
}

export const ALLOWLIST_HELP =
  "One IPv4/IPv6 address or CIDR range per line. Empty: usable from anywhere. From any other address the token is refused like a wrong one.";
