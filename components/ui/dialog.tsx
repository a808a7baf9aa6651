"use client";

import { useEffect, useId, useRef, type ReactNode, type RefObject } from "react";
import { createPortal } from "react-dom";
import { pushModal } from "./modal-stack";
import { useIsClient } from "./use-is-client";

export interface DialogProps {
  open: boolean;
  /** Escape, the backdrop and close buttons ask; the owner decides (e.g. confirm first). */
  onRequestClose(): void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  /** "alertdialog" for confirmations that need an answer. */
  role?: "dialog" | "alertdialog";
  size?: "md" | "lg";
  /** Where focus goes on close when the element that opened the dialog is gone. */
  returnFocus?: RefObject<HTMLElement | null>;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Tab and Shift+Tab cycle through the dialog's visible controls instead of leaving it. */
function trapTab(event: globalThis.KeyboardEvent): void {
  if (event.key !== "Tab") return;
  const dialog = event.currentTarget as HTMLElement;
  // getClientRects(), not offsetParent: a toast's button sits in a fixed box, which has no offsetParent.
  const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * A modal on the native <dialog>, rendered at the end of <body>: the page
 * behind is inert and hidden from assistive technology, Escape and the backdrop
 * request a close, Tab cycles inside, and focus returns to whatever opened it.
 * Children are unmounted while closed, so nothing a dialog showed (a token
 * plaintext) lingers in the DOM.
 */
export function Dialog({
  open,
  onRequestClose,
  title,
  description,
  children,
  role = "dialog",
  size = "md",
  returnFocus,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const isClient = useIsClient();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const fallback = returnFocus?.current;
    if (!dialog.open) dialog.showModal();
    const unregister = pushModal(dialog);
    // A native listener, not onKeyDown: toasts are portaled into the dialog from outside its
    // React tree, and their keydowns would not reach a React handler here.
    dialog.addEventListener("keydown", trapTab);
    // Focus the first field or button rather than the dialog box itself.
    const preferred = dialog.querySelector<HTMLElement>("[data-autofocus]") ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    preferred?.focus();
    return () => {
      dialog.removeEventListener("keydown", trapTab);
      unregister();
      if (dialog.open) dialog.close();
      if (opener?.isConnected && opener !== document.body) opener.focus();
      else fallback?.focus();
    };
  }, [open, returnFocus, isClient]);

  if (!isClient) return null;
  return createPortal(
    <dialog
      ref={ref}
      role={role === "alertdialog" ? role : undefined}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        onRequestClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onRequestClose();
      }}
      className={`m-auto w-[calc(100%-2rem)] ${
        size === "lg" ? "max-w-2xl" : "max-w-lg"
      } rounded-2xl border border-zinc-200 bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-zinc-950/60 backdrop:backdrop-blur-sm dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100`}
    >
      {open && (
        <div className="p-5 sm:p-6">
          <h2 id={titleId} className="pr-6 text-lg font-semibold tracking-tight">
            {title}
          </h2>
          {description && (
            <div id={descriptionId} className="mt-1.5 text-sm text-zinc-600 dark:text-zinc-400">
              {description}
            </div>
          )}
          <div className="mt-5">{children}</div>
        </div>
      )}
    </dialog>,
    document.body,
  );
}
