import type { TokenView } from "@/lib/tokens/schemas";

const minutes = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")}Z`;

/** Width in characters as a terminal shows them (code points, not UTF-16 units). */
const width = (s: string) => [...s].length;

function expiry(expiresAt: number, now: number): string {
  if (expiresAt === 0) return "never";
  return expiresAt <= now ? `${minutes(expiresAt)} (expired)` : minutes(expiresAt);
}

/** `token list` for humans: aligned columns, UTC times, one token per line. */
export function formatTokenTable(tokens: readonly TokenView[], now = Date.now()): string {
  if (tokens.length === 0) return "No API tokens.\n";
  const header = ["ID", "NAME", "SCOPE", "ENABLED", "EXPIRES", "CREATED", "PREFIX"];
  const rows = tokens.map((t) => [
    String(t.id),
    t.name,
    t.scope,
    t.enabled ? "yes" : "no",
    expiry(t.expiresAt, now),
    minutes(t.createdAt * 1000),
    t.prefix || "(imported)",
  ]);
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  return [header, ...rows]
    .map((cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(widths[i]! - width(c)))).join("  "))
    .join("\n")
    .concat("\n");
}
