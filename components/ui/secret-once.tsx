"use client";

import { useEffect, useId, useRef, useState } from "react";
import { Button } from "./button";

type CopyState = "idle" | "copied" | "manual";

/**
 * A secret shown once (a token's plaintext, a webhook's signing secret): its
 * copy state, and closing before copying asks first, because it cannot be
 * shown again. Copying uses the Clipboard API, else selects the text for
 * Ctrl+C (plain http on a LAN address has no Clipboard API). One per shown
 * secret: remount it (a `key`) for the next one.
 */
export function useSecretOnce(value: string | undefined, onClose: () => void) {
  const ids = { field: useId(), copy: useId() };
  const [copy, setCopy] = useState<CopyState>("idle");
  const [copiedOnce, setCopiedOnce] = useState(false);
  const [confirming, setConfirming] = useState(false);

  // "Copied" fades after a moment; copiedOnce stays, for "close without copying?".
  useEffect(() => {
    if (copy !== "copied") return;
    const timer = setTimeout(() => setCopy((c) => (c === "copied" ? "idle" : c)), 2_500);
    return () => clearTimeout(timer);
  }, [copy]);

  async function copyNow() {
    if (!value) return;
    try {
      await navigator.clipboard.writeText(value);
      setCopy("copied");
      setCopiedOnce(true);
    } catch {
      const input = document.getElementById(ids.field) as HTMLInputElement | null;
      input?.focus();
      input?.select();
      const ok = document.execCommand?.("copy") ?? false;
      setCopy(ok ? "copied" : "manual");
      if (ok) setCopiedOnce(true);
    }
  }

  return {
    value,
    ids,
    copy,
    copiedOnce,
    copyNow,
    confirming,
    /** Close, Escape: closes once copied (or when asked a second time), else asks. */
    requestClose() {
      if (copiedOnce || confirming) onClose();
      else setConfirming(true);
    },
    keepOpen() {
      setConfirming(false);
      // The button that had the focus goes away: put it on Copy, the thing left to do.
      document.getElementById(ids.copy)?.focus();
    },
    onClose,
  };
}

type SecretOnce = ReturnType<typeof useSecretOnce>;

/** The secret, read-only and selected on focus, with its Copy button and what copying did. */
export function SecretField({ secret, label, noun, describedBy }: { secret: SecretOnce; label: string; noun: string; describedBy: string }) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={secret.ids.field} className="text-sm font-medium">
        {label}
      </label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <input
          id={secret.ids.field}
          readOnly
          value={secret.value ?? ""}
          onFocus={(e) => e.currentTarget.select()}
          aria-describedby={describedBy}
          spellCheck={false}
          autoComplete="off"
          className="block w-full min-w-0 rounded-lg border border-zinc-300 bg-zinc-50 px-3 py-2 font-mono text-sm text-zinc-900 outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
        />
        <Button id={secret.ids.copy} variant="primary" onClick={secret.copyNow} data-autofocus className="sm:w-28">
          {secret.copy === "copied" ? "✓ Copied" : "Copy"}
        </Button>
      </div>
      <p aria-live="polite" className="min-h-5 text-sm">
        {secret.copy === "copied" && <span className="text-emerald-700 dark:text-emerald-400">Copied to the clipboard.</span>}
        {secret.copy === "manual" && (
          <span className="text-zinc-700 dark:text-zinc-300">The {noun} is selected: press Ctrl+C (⌘C on a Mac) to copy it.</span>
        )}
      </p>
    </div>
  );
}

/** Close (Done once copied), or the question that closing before copying asks. */
export function SecretCloseBar({ secret, noun, closing }: { secret: SecretOnce; noun: string; closing: string }) {
  if (secret.confirming) return <UncopiedQuestion secret={secret} noun={noun} closing={closing} />;
  return (
    <div className="flex justify-end">
      <Button onClick={secret.requestClose}>{secret.copiedOnce ? "Done" : "Close"}</Button>
    </div>
  );
}

function UncopiedQuestion({ secret, noun, closing }: { secret: SecretOnce; noun: string; closing: string }) {
  const keep = useRef<HTMLButtonElement>(null);
  // The question gets the focus when it appears, so Enter keeps the secret open.
  useEffect(() => keep.current?.focus(), []);
  return (
    <div role="alert" className="space-y-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
      <p>
        <strong className="font-semibold">You haven’t copied the {noun}.</strong> Once {closing} closes it cannot be shown again. Close anyway?
      </p>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button ref={keep} onClick={secret.keepOpen}>
          Keep it open
        </Button>
        <Button variant="danger" onClick={secret.onClose}>
          Close anyway
        </Button>
      </div>
    </div>
  );
}
