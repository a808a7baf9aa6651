"use client";

import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { useCopy } from "@/components/ui/use-copy";

/**
 * A webhook's signing secret, shown once (after create or "new secret"), with
 * how a receiver checks a delivery. Closing before copying asks first.
 */
export function WebhookSecretView({ secret, onDone }: { secret: string; onDone(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const { copy, copiedOnce, copyNow } = useCopy(secret, input);
  const [confirming, setConfirming] = useState(false);
  const ids = { field: useId(), warning: useId() };

  useEffect(() => {
    if (confirming) keep.current?.focus();
  }, [confirming]);

  return (
    <div className="space-y-5">
      <p
        id={ids.warning}
        className="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2.5 text-sm text-amber-900 dark:border-amber-700/60 dark:bg-amber-950/40 dark:text-amber-200"
      >
        <strong className="font-semibold">This is the only time the signing secret is shown.</strong> Put it in your receiver now;
        if you lose it, make a new one.
      </p>
      <div className="space-y-1.5">
        <label htmlFor={ids.field} className="text-sm font-medium">
          Signing secret
        </label>
        <div className="flex flex-col gap-2 sm:flex-row">
          <input
            ref={input}
            id={ids.field}
            readOnly
            value={secret}
            onFocus={(e) => e.currentTarget.select()}
            aria-describedby={ids.warning}
            spellCheck={false}
            autoComplete="off"
            className="block w-full min-w-0 rounded-lg border border-zinc-300 bg-zinc-50 px-3 py-2 font-mono text-sm text-zinc-900 outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
          />
          <Button variant="primary" onClick={copyNow} data-autofocus className="sm:w-28">
            {copy === "copied" ? "✓ Copied" : "Copy"}
          </Button>
        </div>
        <p aria-live="polite" className="min-h-5 text-sm">
          {copy === "copied" && <span className="text-emerald-700 dark:text-emerald-400">Copied to the clipboard.</span>}
          {copy === "manual" && <span className="text-zinc-700 dark:text-zinc-300">The secret is selected: press Ctrl+C (⌘C on a Mac) to copy it.</span>}
        </p>
      </div>
      <div className="space-y-1 text-sm text-zinc-600 dark:text-zinc-400">
        <p className="font-medium text-zinc-900 dark:text-zinc-100">Checking a delivery</p>
        <p>
          Each request carries <code className="font-mono text-xs">X-Xui-Signature: t=…,v1=…</code>: <code className="font-mono text-xs">v1</code> is the
          hex HMAC-SHA256 of <code className="font-mono text-xs">t</code>, a dot and the raw body, keyed with this secret. Refuse a
          request whose <code className="font-mono text-xs">t</code> is more than 5 minutes old.
        </p>
      </div>
      {confirming ? (
        <div role="alert" className="space-y-3 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
          <p>
            <strong className="font-semibold">You haven’t copied the secret.</strong> Once this closes it cannot be shown again. Close anyway?
          </p>
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button ref={keep} onClick={() => setConfirming(false)}>
              Keep it open
            </Button>
            <Button variant="danger" onClick={onDone}>
              Close anyway
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex justify-end">
          <Button onClick={() => (copiedOnce ? onDone() : setConfirming(true))}>{copiedOnce ? "Done" : "Close"}</Button>
        </div>
      )}
    </div>
  );
}
