"use client";

import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useToast } from "@/components/ui/toast";
import { useRemovePasskey, type PasskeyView } from "./passkey-api";

/** Remove, confirmed: one request however often it is clicked; closes on success, says why on failure. */
export function useRemovePasskeyDialog(passkey: PasskeyView | null, onClose: () => void) {
  const remove = useRemovePasskey();
  const toast = useToast();
  const once = useSingleFlight();
  return {
    pending: remove.isPending,
    error: remove.error,
    confirm() {
      if (!passkey) return;
      void once(async () => {
        await remove.mutateAsync({ id: passkey.id, name: passkey.name });
        remove.reset();
        onClose();
        toast.success(`Passkey “${passkey.name}” removed. Your other sessions were signed out.`);
      });
    },
    cancel() {
      if (remove.isPending) return;
      remove.reset();
      onClose();
    },
  };
}
