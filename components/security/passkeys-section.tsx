"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { LoadError, LoadingRows, StaleBanner } from "@/components/ui/load-states";
import { SectionCard } from "@/components/ui/section-card";
import { formatDate } from "@/lib/client/format";
import { PASSKEY_WORDS } from "@/lib/client/passkeys";
import { usePasskeySupport } from "@/components/use-passkey-support";
import { AddPasskeyDialog } from "./add-passkey-dialog";
import { explain } from "./messages";
import { usePasskeys, type PasskeyView } from "./passkey-api";
import { RemovePasskeyDialog } from "./remove-passkey-dialog";
import { RenamePasskeyDialog } from "./rename-passkey-dialog";
import { RelativeTime } from "./time-label";

/** A default name from the browser's platform ("Passkey on Linux"); the admin can change it. */
function suggestedName(): string {
  const data = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData;
  const platform = data?.platform || (/Mac/.test(navigator.userAgent) ? "macOS" : /Windows/.test(navigator.userAgent) ? "Windows" : /Android/.test(navigator.userAgent) ? "Android" : /iPhone|iPad/.test(navigator.userAgent) ? "iOS" : /Linux/.test(navigator.userAgent) ? "Linux" : "");
  return platform ? `Passkey on ${platform}` : "My passkey";
}

function PasskeyRow({ passkey, now, onRename, onRemove }: { passkey: PasskeyView; now: number; onRename(): void; onRemove(): void }) {
  return (
    <li className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center sm:justify-between">
      <div className="min-w-0">
        <p className="truncate font-medium">{passkey.name}</p>
        <p className="mt-0.5 text-sm text-zinc-600 dark:text-zinc-400">
          Added {formatDate(passkey.createdAt)} ·{" "}
          {passkey.lastUsedAt ? (
            <>
              last used <RelativeTime ms={passkey.lastUsedAt} now={now} />
            </>
          ) : (
            "never used yet"
          )}
          {passkey.deviceType === "multiDevice" ? " · synced" : ""}
        </p>
      </div>
      <div className="flex shrink-0 gap-2">
        <Button size="sm" onClick={onRename} aria-label={`Rename passkey ${passkey.name}`}>
          Rename
        </Button>
        <Button size="sm" variant="ghostDanger" onClick={onRemove} aria-label={`Remove passkey ${passkey.name}`}>
          Remove
        </Button>
      </div>
    </li>
  );
}

/** Settings → Security → Passkeys: the signed-in admin's passkeys, and the dialogs that change them. */
export function PasskeysSection() {
  const passkeys = usePasskeys();
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<PasskeyView | null>(null);
  const [removing, setRemoving] = useState<PasskeyView | null>(null);
  const support = usePasskeySupport();
  const addButton = useRef<HTMLButtonElement>(null);
  const now = passkeys.dataUpdatedAt || 0;

  return (
    <SectionCard
      headingId="passkeys-heading"
      title="Passkeys"
      description="Sign in with this device’s screen lock, a security key or your phone instead of a password. A passkey never leaves your device; the panel keeps only its public half."
      actions={
        <Button ref={addButton} variant="primary" onClick={() => setAdding(true)} disabled={support !== "supported"}>
          Add a passkey
        </Button>
      }
    >
      {(support === "unsupported" || support === "insecure") && (
        <p role="status" className="border-b border-zinc-200 bg-amber-50 px-5 py-3 text-sm text-amber-900 dark:border-zinc-800 dark:bg-amber-950/40 dark:text-amber-100">
          {support === "insecure" ? PASSKEY_WORDS.insecure : PASSKEY_WORDS.unsupported}
        </p>
      )}
      {passkeys.data && passkeys.isError && (
        <StaleBanner
          what="the passkeys"
          reason={explain(passkeys.error, "load the passkeys")}
          since={passkeys.dataUpdatedAt}
          retrying={passkeys.isFetching}
          onRetry={() => passkeys.refetch()}
        />
      )}
      {passkeys.data ? (
        passkeys.data.length > 0 ? (
          <ul aria-label="Your passkeys" className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {passkeys.data.map((p) => (
              <PasskeyRow key={p.id} passkey={p} now={now} onRename={() => setRenaming(p)} onRemove={() => setRemoving(p)} />
            ))}
          </ul>
        ) : (
          <div className="px-5 py-10 text-center">
            <p className="font-medium">No passkeys yet</p>
            <p className="mx-auto mt-1 max-w-sm text-sm text-zinc-600 dark:text-zinc-400">
              Add one to sign in without typing your password, or to use it as a second step after it.
            </p>
          </div>
        )
      ) : passkeys.isError ? (
        <LoadError what="the passkeys" reason={explain(passkeys.error, "load the passkeys")} retrying={passkeys.isFetching} onRetry={() => passkeys.refetch()} />
      ) : (
        <LoadingRows label="Loading passkeys" rows={2} />
      )}
      <AddPasskeyDialog key={adding ? "open" : "closed"} open={adding} onClose={() => setAdding(false)} suggestedName={adding ? suggestedName() : ""} />
      <RenamePasskeyDialog passkey={renaming} onClose={() => setRenaming(null)} />
      <RemovePasskeyDialog passkey={removing} onClose={() => setRemoving(null)} returnFocus={addButton} />
    </SectionCard>
  );
}
