import type { AuditEventView } from "@/lib/audit/query";
import { formatDateTime } from "@/lib/client/format";

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  description: "Description",
  expiresAt: "Expiry",
  allowedIps: "Allowed IPs",
};

function show(field: string, value: unknown): string {
  if (field === "expiresAt" && typeof value === "number") return value === 0 ? "never" : formatDateTime(value);
  if (Array.isArray(value)) return value.length ? value.join(", ") : "anywhere";
  if (typeof value === "string") return value === "" ? "(empty)" : `“${value}”`;
  return JSON.stringify(value);
}

/** What a token edit changed (`detail.changes`: field → { from, to }), as "Name: old → new" lines. */
export function AuditChanges({ event }: { event: AuditEventView }) {
  const changes = event.detail.changes;
  if (event.action !== "token.update" || !changes || typeof changes !== "object") return null;
  const entries = Object.entries(changes as Record<string, { from?: unknown; to?: unknown }>);
  if (entries.length === 0) return null;
  return (
    <ul aria-label="Changes" className="mt-1 space-y-0.5 text-xs font-normal text-zinc-600 dark:text-zinc-400">
      {entries.map(([field, change]) => (
        <li key={field} className="break-words">
          <span className="font-medium text-zinc-700 dark:text-zinc-300">{FIELD_LABELS[field] ?? field}:</span> {show(field, change?.from)}{" "}
          <span aria-hidden="true">→</span>
          <span className="sr-only">changed to</span> {show(field, change?.to)}
        </li>
      ))}
    </ul>
  );
}
