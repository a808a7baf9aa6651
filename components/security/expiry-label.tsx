import { expiryState, formatDate, formatDateTime } from "@/lib/client/format";

const BADGE = "rounded-md px-1.5 py-0.5 text-xs font-semibold ring-1 ring-inset";

/** "Expired" as a badge: the same look in the list, the Manage dialog and the mobile rows. */
export function ExpiredBadge() {
  return <span className={`${BADGE} bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300`}>Expired</span>;
}

/** "Never", a date, or a badge when the token has expired or expires within 7 days. */
export function ExpiryLabel({ expiresAt, now, compact = false }: { expiresAt: number; now: number; compact?: boolean }) {
  const state = expiryState(expiresAt, now);
  const date = (at: number) => (
    <time dateTime={new Date(at).toISOString()} title={formatDateTime(at)} className="text-zinc-600 dark:text-zinc-400">
      {formatDate(at)}
    </time>
  );
  switch (state.kind) {
    case "never":
      return <span className="text-zinc-600 dark:text-zinc-400">{compact ? "Never expires" : "Never"}</span>;
    case "expired":
      return (
        <span className="inline-flex flex-wrap items-center gap-1.5">
          <ExpiredBadge />
          {!compact && date(state.at)}
        </span>
      );
    case "soon":
      return (
        <span className="inline-flex flex-wrap items-center gap-1.5">
          <span
            title={formatDateTime(state.at)}
            className={`${BADGE} bg-amber-50 text-amber-800 ring-amber-600/30 dark:bg-amber-500/10 dark:text-amber-300`}
          >
            {state.days <= 1 ? "Expires within a day" : `Expires in ${state.days} days`}
          </span>
          {!compact && date(state.at)}
        </span>
      );
    case "later":
      return compact ? <span>Expires {date(state.at)}</span> : date(state.at);
  }
}
