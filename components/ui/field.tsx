"use client";

import { useId, type ReactNode } from "react";

/** What a form control needs to be labelled, described and marked invalid by its Field. */
export interface FieldControlProps {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

export interface FieldProps {
  label: ReactNode;
  /** A line under the control that helps fill it in. */
  help?: ReactNode;
  /** Why the value is refused; marks the control invalid and is read with it. */
  error?: ReactNode;
  /** Something at the right of the label, e.g. a character count (read as part of the description). */
  aside?: ReactNode;
  className?: string;
  children(control: FieldControlProps): ReactNode;
}

/**
 * One form field: label, control, help and error, wired together with ids so a
 * screen reader reads the label, then the error, then the help.
 */
export function Field({ label, help, error, aside, className = "", children }: FieldProps) {
  const id = useId();
  const ids = { help: `${id}-help`, error: `${id}-error`, aside: `${id}-aside` };
  const describedBy = [error ? ids.error : "", help ? ids.help : "", aside ? ids.aside : ""].filter(Boolean).join(" ");
  return (
    <div className={`space-y-1.5 ${className}`}>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        {aside && (
          <span id={ids.aside} className="text-xs text-zinc-600 dark:text-zinc-400">
            {aside}
          </span>
        )}
      </div>
      {children({ id, "aria-describedby": describedBy || undefined, "aria-invalid": error ? true : undefined })}
      {error && (
        <p id={ids.error} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {help && (
        <p id={ids.help} className="text-xs text-zinc-600 dark:text-zinc-400">
          {help}
        </p>
      )}
    </div>
  );
}
