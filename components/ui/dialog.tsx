"use client";

import { AlertDialog as AlertPrimitive, Dialog as DialogPrimitive } from "radix-ui";
import { useRef, type ReactNode, type RefObject } from "react";

const OVERLAY = "fixed inset-0 bg-zinc-950/60 backdrop-blur-sm";
/** Dialogs sit on z 40/50; one that can open over another (the re-authentication prompt) on 60/70. */
const LAYERS = { base: { overlay: "z-40", content: "z-50" }, over: { overlay: "z-60", content: "z-70" } } as const;
const CONTENT =
  "fixed top-1/2 left-1/2 max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-2xl border border-zinc-200 bg-white p-5 text-zinc-900 shadow-2xl outline-none sm:p-6 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100";
const TITLE = "pr-6 text-lg font-semibold tracking-tight";
const DESCRIPTION = "mt-1.5 text-sm text-zinc-600 dark:text-zinc-400";

/**
 * Focus handling shared by both kinds of modal: on open, the control marked
 * `data-autofocus` (else Radix's first focusable); on close, back to whatever
 * opened it, or to `fallback` when that is gone (a deleted token's row).
 */
function useModalFocus(fallback?: RefObject<HTMLElement | null>) {
  const opener = useRef<HTMLElement | null>(null);
  return {
    onOpenAutoFocus(event: Event) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      const preferred = (event.currentTarget as HTMLElement).querySelector<HTMLElement>("[data-autofocus]");
      if (preferred) {
        event.preventDefault();
        preferred.focus();
      }
    },
    onCloseAutoFocus(event: Event) {
      event.preventDefault();
      const target = opener.current?.isConnected && opener.current !== document.body ? opener.current : fallback?.current;
      target?.focus();
      opener.current = null;
    },
  };
}

export interface DialogProps {
  open: boolean;
  /** Escape, a click outside and close buttons ask; the owner decides (e.g. confirm first, or not while saving). */
  onRequestClose(): void;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  size?: "md" | "lg";
  /** Where focus goes on close when the element that opened the dialog is gone. */
  returnFocus?: RefObject<HTMLElement | null>;
  /** "over": opens above any other dialog (and dims it). */
  layer?: keyof typeof LAYERS;
}

/**
 * A modal dialog (Radix): the page behind is inert and hidden from assistive
 * technology, focus is trapped inside and returns on close. Children unmount
 * while closed, so nothing a dialog showed (a token plaintext) stays in the DOM.
 */
export function Dialog({ open, onRequestClose, title, description, children, size = "md", returnFocus, layer = "base" }: DialogProps) {
  const focus = useModalFocus(returnFocus);
  return (
    <DialogPrimitive.Root open={open} onOpenChange={(next) => !next && onRequestClose()}>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className={`${OVERLAY} ${LAYERS[layer].overlay}`} />
        <DialogPrimitive.Content
          className={`${CONTENT} ${LAYERS[layer].content} ${size === "lg" ? "max-w-2xl" : "max-w-lg"}`}
          // Radix wants a Description or an explicit "none".
          {...(description ? {} : { "aria-describedby": undefined })}
          {...focus}
        >
          <DialogPrimitive.Title className={TITLE}>{title}</DialogPrimitive.Title>
          {description ? (
            <DialogPrimitive.Description asChild>
              <div className={DESCRIPTION}>{description}</div>
            </DialogPrimitive.Description>
          ) : null}
          <div className="mt-5">{children}</div>
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  onCancel(): void;
  onConfirm(): void;
  title: ReactNode;
  description: ReactNode;
  /** The confirming button's words: what happens ("Delete token", "Rotate now"). */
  confirmLabel: string;
  pendingLabel?: string;
  pending?: boolean;
  tone?: "danger" | "primary";
  cancelLabel?: string;
  /** A refusal to show above the buttons (the action failed, the dialog stays). */
  error?: ReactNode;
  children?: ReactNode;
  returnFocus?: RefObject<HTMLElement | null>;
}

/**
 * A question that needs an answer before something irreversible (Radix alert
 * dialog): a click outside does not dismiss it, Cancel has the focus, and the
 * confirm button does not close it by itself; the owner closes it when done.
 */
export function ConfirmDialog({
  open,
  onCancel,
  onConfirm,
  title,
  description,
  confirmLabel,
  pendingLabel,
  pending = false,
  tone = "danger",
  cancelLabel = "Cancel",
  error,
  children,
  returnFocus,
}: ConfirmDialogProps) {
  const focus = useModalFocus(returnFocus);
  const confirmClass =
    tone === "danger"
      ? "bg-red-600 text-white hover:bg-red-500 focus-visible:outline-red-600"
      : "bg-indigo-600 text-white hover:bg-indigo-500 focus-visible:outline-indigo-600 dark:bg-indigo-500 dark:hover:bg-indigo-400";
  const button =
    "inline-flex items-center justify-center gap-2 rounded-lg px-3.5 py-2 text-sm font-medium whitespace-nowrap shadow-sm transition focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-60";
  return (
    <AlertPrimitive.Root open={open} onOpenChange={(next) => !next && !pending && onCancel()}>
      <AlertPrimitive.Portal>
        <AlertPrimitive.Overlay className={`${OVERLAY} ${LAYERS.base.overlay}`} />
        <AlertPrimitive.Content className={`${CONTENT} ${LAYERS.base.content} max-w-md`} {...focus}>
          <AlertPrimitive.Title className={TITLE}>{title}</AlertPrimitive.Title>
          <AlertPrimitive.Description asChild>
            <div className={DESCRIPTION}>{description}</div>
          </AlertPrimitive.Description>
          {children}
          {error && (
            <p role="alert" className="mt-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950/60 dark:text-red-200">
              {error}
            </p>
          )}
          <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <AlertPrimitive.Cancel
              disabled={pending}
              className={`${button} border border-zinc-300 bg-white text-zinc-900 hover:bg-zinc-50 focus-visible:outline-indigo-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800`}
            >
              {cancelLabel}
            </AlertPrimitive.Cancel>
            <button type="button" onClick={onConfirm} disabled={pending} className={`${button} ${confirmClass}`}>
              {pending ? (pendingLabel ?? confirmLabel) : confirmLabel}
            </button>
          </div>
        </AlertPrimitive.Content>
      </AlertPrimitive.Portal>
    </AlertPrimitive.Root>
  );
}
