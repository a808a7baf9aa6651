"use client";

import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useToast } from "@/components/ui/toast";
import { useDeleteToken, type TokenView } from "./token-api";

/** Delete, confirmed: one request however often it is clicked; closes on success, says why on failure. */
export function useDeleteTokenDialog(token: TokenView | null, onClose: () => void) {
  const remove = useDeleteToken();
  const toast = useToast();
  const once = useSingleFlight();
  return {
    pending: remove.isPending,
    error: remove.error,
    confirm() {
      if (!token) return;
      void once(async () => {
        await remove.mutateAsync({ id: token.id, name: token.name });
        remove.reset();
        onClose();
        toast.success(`Token “${token.name}” deleted. Callers using it are refused from now on.`);
      });
    },
    cancel() {
      if (remove.isPending) return;
      remove.reset();
      onClose();
    },
  };
}
