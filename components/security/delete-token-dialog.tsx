"use client";

import type { TokenView } from "@/lib/tokens/schemas";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorNote } from "@/components/ui/error-note";

export interface DeleteTokenDialogProps {
  token: TokenView | null;
  pending: boolean;
  error?: string;
  onConfirm(): void;
  onCancel(): void;
}

export function DeleteTokenDialog({ token, pending, error, onConfirm, onCancel }: DeleteTokenDialogProps) {
  return (
    <Dialog
      open={token !== null}
      onRequestClose={() => !pending && onCancel()}
      role="alertdialog"
      title={token ? `Delete token “${token.name}”?` : ""}
      description="Bots and scripts using this token stop working immediately. This cannot be undone; to pause a token instead, switch it off."
    >
      <div className="space-y-4">
        {error && <ErrorNote>{error}</ErrorNote>}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button onClick={onCancel} disabled={pending} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={onConfirm} disabled={pending}>
            {pending ? "Deleting…" : "Delete token"}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
