import { Button } from "./button";

/** Placeholder rows while a list loads. */
export function LoadingRows({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div aria-busy="true" aria-label={label} className="space-y-3 p-5">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-9 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" />
      ))}
    </div>
  );
}

/** A list that could not load: what failed, the server's reason, and a way to try again. */
export function LoadError({ what, reason, onRetry }: { what: string; reason: string; onRetry(): void }) {
  return (
    <div role="alert" className="flex flex-col items-start gap-3 p-5 text-sm">
      <p className="text-red-800 dark:text-red-300">
        <strong className="font-semibold">Could not load {what}.</strong> {reason}
      </p>
      <Button size="sm" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}
