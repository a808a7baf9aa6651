"use client";

import { useEffect, useId, useRef, useState, type RefObject } from "react";
import type { CreatedToken } from "@/lib/tokens/schemas";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { useCopy } from "@/components/ui/use-copy";
import { ScopeBadge } from "./scope-badge";

export interface TokenSecretDialogProps {
  /** The create answer; the dialog is open while it is set. */
  created: CreatedToken | undefined;
  /** Must drop the plaintext (mutation.reset()). */
  onClose(): void;
  returnFocus?: RefObject<HTMLElement | null>;
  /** "created" (default) or "rotated": only the wording differs. */
  kind?: "created" | "rotated";
}

/**
 * Shows a new token's plaintext exactly once: read-only, copyable, with a
 * ready-to-run curl line. Closing before copying asks first, because there is
 * no way to see it again. Render it with `key={created?.id}` so every token
 * starts with fresh copy/confirm state.
 */
export function TokenSecretDialog({ created, onClose, returnFocus, kind = "created" }: TokenSecretDialogProps) {
  const [confirming, setConfirming] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const copyRef = useRef<HTMLButtonElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const ids = { field: useId(), warning: useId(), tryIt: useId() };

  const plaintext = created?.token;
  const { copy, copiedOnce, copyNow: copyToken } = useCopy(plaintext, inputRef);

  // The question gets the focus when it appears, so Enter keeps the dialog open.
  useEffect(() => {
    if (confirming) keepRef.current?.focus();
  }, [confirming]);

  function keepOpen() {
    setConfirming(false);
    // The button that had the focus goes away: put it on Copy, the thing left to do.
    copyRef.current?.focus();
  }

  function requestClose() {
    if (copiedOnce || confirming) onClose();
    else setConfirming(true);
  }

  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const curl = plaintext ? `curl -H "Authorization: Bearer ${plaintext}" ${origin}/panel/api/server/status` : "";

  return (
    <Dialog
      open={Boolean(created)}
      onRequestClose={requestClose}
      title={kind === "rotated" ? "Copy the rotated API token" : "Copy your new API token"}
      description={
        created && (
          <span className="inline-flex flex-wrap items-center gap-2">
            Token <strong className="font-semibold text-zinc-900 dark:text-zinc-100">{created.name}</strong> was{" "}
            {kind === "rotated" ? "given a new secret" : "created"} with scope <ScopeBadge scope={created.scope} />
          </span>
        )
      }
      size="lg"
      returnFocus={returnFocus}
    >
      {created && plaintext && (
        <div className="space-y-5">
          <div
            id={ids.warning}
            className="flex gap-3 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2.5 text-sm text-amber-900 dark:border-amber-700/60 dark:bg-amber-950/40 dark:text-amber-200"
          >
            <span aria-hidden="true">⚠</span>
            <p>
              <strong className="font-semibold">This is the only time the token is shown.</strong> Copy it now and keep it
              somewhere safe. The panel stores only a hash; if you lose it, create a new one.
            </p>
          </div>

          <div className="space-y-1.5">
            <label htmlFor={ids.field} className="text-sm font-medium">
              Your new API token
            </label>
            <div className="flex flex-col gap-2 sm:flex-row">
              <input
                ref={inputRef}
                id={ids.field}
                readOnly
                value={plaintext}
                onFocus={(e) => e.currentTarget.select()}
                aria-describedby={ids.warning}
                spellCheck={false}
                autoComplete="off"
                className="block w-full min-w-0 rounded-lg border border-zinc-300 bg-zinc-50 px-3 py-2 font-mono text-sm text-zinc-900 outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
              />
              <Button ref={copyRef} variant="primary" onClick={copyToken} data-autofocus className="sm:w-28">
                {copy === "copied" ? "✓ Copied" : "Copy"}
              </Button>
            </div>
            <p aria-live="polite" className="min-h-5 text-sm">
              {copy === "copied" && <span className="text-emerald-700 dark:text-emerald-400">Copied to the clipboard.</span>}
              {copy === "manual" && (
                <span className="text-zinc-700 dark:text-zinc-300">
                  The token is selected: press Ctrl+C (⌘C on a Mac) to copy it.
                </span>
              )}
            </p>
          </div>

          <div className="space-y-1.5">
            <p id={ids.tryIt} className="text-sm font-medium">
              Try it
            </p>
            {/* Focusable so keyboard users can scroll the long line. */}
            <pre
              tabIndex={0}
              aria-labelledby={ids.tryIt}
              className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-indigo-500 rounded-lg bg-zinc-950 px-3 py-2.5 font-mono text-xs leading-relaxed text-zinc-100 dark:bg-black">
              <code>{curl}</code>
            </pre>
          </div>

          {confirming ? (
            <div
              role="alert"
              className="space-y-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100"
            >
              <p>
                <strong className="font-semibold">You haven’t copied the token.</strong> Once this dialog closes it cannot be
                shown again. Close anyway?
              </p>
              <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
                <Button ref={keepRef} onClick={keepOpen}>
                  Keep it open
                </Button>
                <Button variant="danger" onClick={onClose}>
                  Close anyway
                </Button>
              </div>
            </div>
          ) : (
            <div className="flex justify-end">
              <Button onClick={requestClose}>{copiedOnce ? "Done" : "Close"}</Button>
            </div>
          )}
        </div>
      )}
    </Dialog>
  );
}
