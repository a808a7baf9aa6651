"use client";

import { passkeyMessage } from "./passkey-messages";
import { PasskeyNameDialog } from "./passkey-name-dialog";
import type { PasskeyView } from "./passkey-api";
import { useRenamePasskeyDialog } from "./use-rename-passkey-dialog";

export function RenamePasskeyDialog({ passkey, onClose }: { passkey: PasskeyView | null; onClose(): void }) {
  const dialog = useRenamePasskeyDialog(passkey, onClose);
  return (
    <PasskeyNameDialog
      key={passkey?.id ?? "none"}
      open={passkey !== null}
      title={passkey ? `Rename passkey “${passkey.name}”` : ""}
      defaultName={passkey?.name ?? ""}
      submitLabel="Save name"
      pendingLabel="Saving…"
      pending={dialog.pending}
      nameError={dialog.nameError}
      error={dialog.error ? passkeyMessage(dialog.error, "rename the passkey") : undefined}
      onNameInput={dialog.clearNameError}
      onSubmit={dialog.submit}
      onCancel={dialog.cancel}
    />
  );
}
