"use client";

import type { RefObject } from "react";
import { ConfirmDialog } from "@/components/ui/dialog";
import { passkeyMessage } from "./passkey-messages";
import type { PasskeyView } from "./passkey-api";
import { useRemovePasskeyDialog } from "./use-remove-passkey-dialog";

export function RemovePasskeyDialog({
  passkey,
  onClose,
  returnFocus,
}: {
  passkey: PasskeyView | null;
  onClose(): void;
  returnFocus: RefObject<HTMLElement | null>;
}) {
  const dialog = useRemovePasskeyDialog(passkey, onClose);
  return (
    <ConfirmDialog
      open={passkey !== null}
      onCancel={dialog.cancel}
      onConfirm={dialog.confirm}
      title={passkey ? `Remove passkey “${passkey.name}”?` : ""}
      description="It can no longer sign in to this panel, and every other session of yours is signed out. This browser stays signed in. The passkey itself stays on the device until you delete it there."
      confirmLabel="Remove passkey"
      pendingLabel="Removing…"
      pending={dialog.pending}
      error={dialog.error ? passkeyMessage(dialog.error, "remove the passkey") : undefined}
      returnFocus={returnFocus}
    />
  );
}
