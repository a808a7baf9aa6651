"use client";

import { Switch as SwitchPrimitive } from "radix-ui";

export interface SwitchProps {
  checked: boolean;
  onChange(next: boolean): void;
  /** Accessible name, e.g. "Token ci-deploy enabled". */
  label: string;
  disabled?: boolean;
  describedBy?: string;
  /** On, but not in force (an expired token): drawn muted instead of green. */
  muted?: boolean;
}

/** A toggle with switch semantics (Radix: role="switch", aria-checked, Space and Enter). */
export function Switch({ checked, onChange, label, disabled, describedBy, muted = false }: SwitchProps) {
  const on = muted ? "data-[state=checked]:bg-zinc-500 dark:data-[state=checked]:bg-zinc-500" : "data-[state=checked]:bg-emerald-600 dark:data-[state=checked]:bg-emerald-500";
  return (
    <SwitchPrimitive.Root
      checked={checked}
      onCheckedChange={onChange}
      aria-label={label}
      aria-describedby={describedBy}
      disabled={disabled}
      className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full border-2 border-transparent bg-zinc-300 transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-wait disabled:opacity-60 dark:bg-zinc-600 ${on}`}
    >
      <SwitchPrimitive.Thumb className="pointer-events-none inline-block h-5 w-5 translate-x-0 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-5" />
    </SwitchPrimitive.Root>
  );
}
