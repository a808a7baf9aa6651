import { formatDateTime, relativeTime } from "@/lib/client/format";

/** "3 hours ago", with the exact date and time as a tooltip and in the markup. */
export function RelativeTime({ ms, now, className }: { ms: number; now: number; className?: string }) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatDateTime(ms)} className={className}>
      {relativeTime(ms, now)}
    </time>
  );
}
