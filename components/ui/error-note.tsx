import type { ReactNode } from "react";

/** A refusal or failure explained in words, announced to screen readers as it appears. */
export function ErrorNote({ id, children, className = "" }: { id?: string; children: ReactNode; className?: string }) {
  return (
    <p
      id={id}
      role="alert"
      className={`rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950/60 dark:text-red-200 ${className}`}
    >
      {children}
    </p>
  );
}
