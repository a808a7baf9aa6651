"use client";

import { useId, type ReactNode } from "react";

export interface CheckboxFieldProps {
  checked: boolean;
  onChange(checked: boolean): void;
  label: string;
  /** What ticking it does; read with the checkbox. */
  children: ReactNode;
  className?: string;
}

/** A labelled checkbox with a line of help under it, wired together for screen readers. */
export function CheckboxField({ checked, onChange, label, children, className = "" }: CheckboxFieldProps) {
  const helpId = useId();
  return (
    <div className={className}>
      <label className="flex items-center gap-2 text-sm font-medium">
        <input
          type="checkbox"
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={helpId}
          className="h-4 w-4 accent-indigo-600"
        />
        {label}
      </label>
      <p id={helpId} className="mt-1 ml-6 text-xs text-zinc-600 dark:text-zinc-400">
        {children}
      </p>
    </div>
  );
}
