"use client";

import type { RefObject } from "react";
import { ConfirmDialog } from "@/components/ui/dialog";
import { explain } from "./messages";
import type { TokenView } from "./token-api";
import { useDeleteTokenDialog } from "./use-delete-token-dialog";

export interface DeleteTokenDialogProps {
  token: TokenView | null;
  onClose(): void;
  /** Where focus goes once the deleted token's row (and its Delete button) is gone. */
  returnFocus: RefObject<HTMLElement | null>;
}

export function DeleteTokenDialog({ token, onClose, returnFocus }: DeleteTokenDialogProps) {
  const dialog = useDeleteTokenDialog(token, onClose);
  return (
    <ConfirmDialog
      open={token !== null}
      onCancel={dialog.cancel}
      onConfirm={dialog.confirm}
      title={token ? `Delete token “${token.name}”?` : ""}
      description="Bots and scripts using this token stop working immediately. This cannot be undone; to pause a token instead, switch it off."
      confirmLabel="Delete token"
      pendingLabel="Deleting…"
      pending={dialog.pending}
      error={dialog.error ? explain(dialog.error, "delete the token") : undefined}
      returnFocus={returnFocus}
    />
  );
}
