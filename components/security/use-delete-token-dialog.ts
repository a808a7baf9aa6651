"use client";

import { useConfirmedChange } from "@/components/ui/use-confirmed-change";
import { useDeleteToken, type TokenView } from "./token-api";

/** Delete, confirmed: one request however often it is clicked; closes on success, says why on failure. */
export function useDeleteTokenDialog(token: TokenView | null, onClose: () => void) {
  return useConfirmedChange(
    useDeleteToken(),
    token,
    {
      variables: (t) => ({ id: t.id, name: t.name }),
      done: (t) => `Token “${t.name}” deleted. Callers using it are refused from now on.`,
    },
    onClose,
  );
}
