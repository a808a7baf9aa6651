import { formatDateTime } from "@/lib/client/format";
import { Button } from "./button";

/** Placeholder rows while a list loads. */
export function LoadingRows({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div role="status" aria-label={label} className="space-y-3 p-5">
      <span className="sr-only">{label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} aria-hidden="true" className="h-9 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" />
      ))}
    </div>
  );
}

interface FailureProps {
  /** "the tokens", "the audit log". */
  what: string;
  /** Why, in a sentence (components/security/messages.ts). */
  reason: string;
  onRetry(): void;
  retrying?: boolean;
}

/** A list that could not load at all: what failed, why, and a way to try again. */
export function LoadError({ what, reason, onRetry, retrying = false }: FailureProps) {
  return (
    <div role="alert" className="flex flex-col items-start gap-3 p-5 text-sm">
      <p className="text-red-800 dark:text-red-300">
        <strong className="font-semibold">Could not load {what}.</strong> {reason}
      </p>
      <Button size="sm" onClick={onRetry} disabled={retrying}>
        {retrying ? "Trying again…" : "Try again"}
      </Button>
    </div>
  );
}

/** A refresh failed: the last good data stays on screen under this banner. */
export function StaleBanner({ what, reason, onRetry, retrying = false, since }: FailureProps & { since: number }) {
  return (
    <div
      role="alert"
      className="flex flex-col gap-2 border-b border-amber-200 bg-amber-50 px-4 py-2.5 text-sm text-amber-950 sm:flex-row sm:items-center sm:justify-between dark:border-amber-900/60 dark:bg-amber-950/40 dark:text-amber-100"
    >
      <p>
        <strong className="font-semibold">Could not refresh {what}.</strong> {reason} Showing what was loaded at{" "}
        {formatDateTime(since)}.
      </p>
      <Button size="sm" onClick={onRetry} disabled={retrying} className="self-start sm:self-auto">
        {retrying ? "Retrying…" : "Retry"}
      </Button>
    </div>
  );
}
