/**
 * What a page shows while the panel cannot reach its database: in words, with
 * the reassurance an admin looks for first (nothing is lost) and what to do.
 */
export function DatabaseUnavailableNote({ retry = false, className = "" }: { retry?: boolean; className?: string }) {
  return (
    <div
      role="alert"
      className={`rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-900/60 dark:bg-amber-950/50 dark:text-amber-100 ${className}`}
    >
      <p className="font-semibold">The panel cannot reach its database right now</p>
      <p className="mt-1">
        Signing in and managing tokens need it. Nothing you saved is lost; this usually clears within seconds, for example
        while the database server restarts.
      </p>
      {retry && (
        // A plain link: reloading the page is the retry, and works without JavaScript.
        <a href="" className="mt-3 inline-block font-medium text-amber-950 underline dark:text-amber-50">
          Try again
        </a>
      )}
    </div>
  );
}
