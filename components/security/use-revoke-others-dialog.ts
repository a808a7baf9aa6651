"use client";

import { useToast } from "@/components/ui/toast";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useRevokeOtherSessions } from "./session-api";

/** "Sign out everywhere else", confirmed: one request however often it is clicked. */
export function useRevokeOthersDialog(onClose: () => void) {
  const revoke = useRevokeOtherSessions();
  const toast = useToast();
  const once = useSingleFlight();
  return {
    pending: revoke.isPending,
    error: revoke.error,
    confirm() {
      void once(async () => {
        const { revoked } = await revoke.mutateAsync();
        revoke.reset();
        onClose();
        toast.success(revoked === 0 ? "No other session was signed in." : `Signed out ${revoked} other session${revoked === 1 ? "" : "s"}.`);
      });
    },
    cancel() {
      if (revoke.isPending) return;
      revoke.reset();
      onClose();
    },
  };
}
