"use client";

import { useId } from "react";
import { SecretCloseBar, SecretField, useSecretOnce } from "@/components/ui/secret-once";

/**
 * A webhook's signing secret, shown once (after create or "new secret"), with
 * how a receiver checks a delivery. Closing before copying asks first.
 */
export function WebhookSecretView({ secret, onDone }: { secret: string; onDone(): void }) {
  const shown = useSecretOnce(secret, onDone);
  const ids = { warning: useId() };

  return (
    <div className="space-y-5">
      <p
        id={ids.warning}
        className="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2.5 text-sm text-amber-900 dark:border-amber-700/60 dark:bg-amber-950/40 dark:text-amber-200"
      >
        <strong className="font-semibold">This is the only time the signing secret is shown.</strong> Put it in your receiver now;
        if you lose it, make a new one.
      </p>
      <SecretField secret={shown} label="Signing secret" noun="secret" describedBy={ids.warning} />
      <div className="space-y-1 text-sm text-zinc-600 dark:text-zinc-400">
        <p className="font-medium text-zinc-900 dark:text-zinc-100">Checking a delivery</p>
        <p>
          Each request carries <code className="font-mono text-xs">X-Xui-Signature: t=…,v1=…</code>: <code className="font-mono text-xs">v1</code> is the
          hex HMAC-SHA256 of <code className="font-mono text-xs">t</code>, a dot and the raw body, keyed with this secret. Refuse a
          request whose <code className="font-mono text-xs">t</code> is more than 5 minutes old.
        </p>
      </div>
      <SecretCloseBar secret={shown} noun="secret" closing="this" />
    </div>
  );
}
