import { expiryState, formatDate } from "@/lib/client/format";

/** "Never", a date, or a warning when the token has expired or expires within 7 days. */
export function ExpiryLabel({ expiresAt, now }: { expiresAt: number; now: number }) {
  const state = expiryState(expiresAt, now);
  switch (state.kind) {
    case "never":
      return <span className="text-zinc-500 dark:text-zinc-400">Never</span>;
    case "expired":
      return (
        <span className="inline-flex flex-wrap items-center gap-1.5">
          <span className="rounded-md bg-red-50 px-1.5 py-0.5 text-xs font-semibold text-red-700 ring-1 ring-red-600/20 ring-inset dark:bg-red-500/10 dark:text-red-300">
            Expired
          </span>
          <span className="text-zinc-500 dark:text-zinc-400">{formatDate(state.at)}</span>
        </span>
      );
    case "soon":
      return (
        <span className="inline-flex flex-wrap items-center gap-1.5">
          <span className="rounded-md bg-amber-50 px-1.5 py-0.5 text-xs font-semibold text-amber-800 ring-1 ring-amber-600/30 ring-inset dark:bg-amber-500/10 dark:text-amber-300">
            {state.days <= 1 ? "Expires within a day" : `Expires in ${state.days} days`}
          </span>
          <span className="text-zinc-500 dark:text-zinc-400">{formatDate(state.at)}</span>
        </span>
      );
    case "later":
      return <span>{formatDate(state.at)}</span>;
  }
}
