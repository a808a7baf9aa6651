/** Display helpers for the Security page. Browser-only: they use the user's locale and clock. */

const DAY_MS = 86_400_000;

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" }).format(ms);
}

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(ms);
}

export type ExpiryState =
  | { kind: "never" }
  | { kind: "expired"; at: number }
  | { kind: "soon"; at: number; days: number }
  | { kind: "later"; at: number };

/** `expiresAt` is Unix ms, 0 = never. "Soon" is within 7 days, like the API's `expiresSoon`. */
export function expiryState(expiresAt: number, now = Date.now()): ExpiryState {
  if (expiresAt === 0) return { kind: "never" };
  if (expiresAt <= now) return { kind: "expired", at: expiresAt };
  const days = Math.ceil((expiresAt - now) / DAY_MS);
  return days <= 7 ? { kind: "soon", at: expiresAt, days } : { kind: "later", at: expiresAt };
}

export function relativeTime(ms: number, now = Date.now()): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), "second");
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), "minute");
  if (abs < DAY_MS) return rtf.format(Math.round(diff / 3_600_000), "hour");
  if (abs < 30 * DAY_MS) return rtf.format(Math.round(diff / DAY_MS), "day");
  return formatDate(ms);
}

/** `YYYY-MM-DD` in local time, for `<input type="date">`. */
export function isoDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The last millisecond of a local `YYYY-MM-DD`, so "expires on Dec 1" covers all of Dec 1. */
export function endOfDay(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y!, m! - 1, d!, 23, 59, 59, 999).getTime();
}
