"use client";

import { useConfirmedChange } from "@/components/ui/use-confirmed-change";
import { useRemovePasskey, type PasskeyView } from "./passkey-api";

/** Remove, confirmed: one request however often it is clicked; closes on success, says why on failure. */
export function useRemovePasskeyDialog(passkey: PasskeyView | null, onClose: () => void) {
  return useConfirmedChange(
    useRemovePasskey(),
    passkey,
    {
      variables: (p) => ({ id: p.id, name: p.name }),
      done: (p) => `Passkey “${p.name}” removed. Your other sessions were signed out.`,
    },
    onClose,
  );
}
