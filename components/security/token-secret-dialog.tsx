"use client";

import { useId, type RefObject } from "react";
import type { CreatedToken } from "@/lib/tokens/schemas";
import { Dialog } from "@/components/ui/dialog";
import { SecretCloseBar, SecretField, useSecretOnce } from "@/components/ui/secret-once";
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
  const plaintext = created?.token;
  const shown = useSecretOnce(plaintext, onClose);
  const ids = { warning: useId(), tryIt: useId() };

  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const curl = plaintext ? `curl -H "Authorization: Bearer ${plaintext}" ${origin}/panel/api/server/status` : "";

  return (
    <Dialog
      open={Boolean(created)}
      onRequestClose={shown.requestClose}
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

          <SecretField secret={shown} label="Your new API token" noun="token" describedBy={ids.warning} />

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

          <SecretCloseBar secret={shown} noun="token" closing="this dialog" />
        </div>
      )}
    </Dialog>
  );
}
