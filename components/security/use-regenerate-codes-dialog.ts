"use client";

import { useState } from "react";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useRegenerateRecoveryCodes } from "./two-factor-api";

/** New recovery codes for a current code; the answer (the codes) lives only in the mutation and goes on close. */
export function useRegenerateCodesDialog() {
  const regenerate = useRegenerateRecoveryCodes();
  const once = useSingleFlight();
  const [open, setOpen] = useState(false);
  return {
    open,
    pending: regenerate.isPending,
    error: regenerate.error,
    recoveryCodes: regenerate.data?.recoveryCodes,
    show: () => setOpen(true),
    submit(code: string) {
      void once(() => regenerate.mutateAsync({ code }));
    },
    clearError: () => regenerate.isError && regenerate.reset(),
    close() {
      if (regenerate.isPending) return;
      regenerate.reset();
      setOpen(false);
    },
  };
}
