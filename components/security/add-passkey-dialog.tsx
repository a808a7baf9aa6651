"use client";

import { passkeyMessage } from "./passkey-messages";
import { PasskeyNameDialog } from "./passkey-name-dialog";
import { useAddPasskeyDialog } from "./use-add-passkey-dialog";

export function AddPasskeyDialog({ open, onClose, suggestedName }: { open: boolean; onClose(): void; suggestedName: string }) {
  const dialog = useAddPasskeyDialog(onClose);
  return (
    <PasskeyNameDialog
      open={open}
      title="Add a passkey"
      description="After you continue, your browser asks you to confirm with this device’s screen lock, a security key or your phone."
      defaultName={suggestedName}
      submitLabel="Continue"
      pendingLabel="Waiting for your passkey…"
      pending={dialog.pending}
      nameError={dialog.nameError}
      error={dialog.error ? passkeyMessage(dialog.error, "add the passkey") : undefined}
      onNameInput={dialog.clearNameError}
      onSubmit={dialog.submit}
      onCancel={dialog.cancel}
    />
  );
}
