"use client";

import { Popover as PopoverPrimitive } from "radix-ui";
import type { ReactNode } from "react";

export interface PopoverProps {
  /** The button that opens it (rendered as the trigger, so it gets aria-expanded and aria-controls). */
  trigger: ReactNode;
  /** The popover's accessible name. */
  label: string;
  open?: boolean;
  onOpenChange?(open: boolean): void;
  children: ReactNode;
}

/**
 * A non-modal popover (Radix): Escape and a click outside close it and only it
 * (inside a dialog the dialog stays open), focus returns to its trigger.
 */
export function Popover({ trigger, label, open, onOpenChange, children }: PopoverProps) {
  return (
    <PopoverPrimitive.Root open={open} onOpenChange={onOpenChange}>
      <PopoverPrimitive.Trigger asChild>{trigger}</PopoverPrimitive.Trigger>
      <PopoverPrimitive.Portal>
        <PopoverPrimitive.Content
          aria-label={label}
          align="start"
          sideOffset={6}
          collisionPadding={12}
          className="z-[55] w-80 max-w-[calc(100vw-1.5rem)] rounded-xl border border-zinc-200 bg-white p-3 text-sm text-zinc-900 shadow-xl outline-none dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
        >
          {children}
        </PopoverPrimitive.Content>
      </PopoverPrimitive.Portal>
    </PopoverPrimitive.Root>
  );
}
