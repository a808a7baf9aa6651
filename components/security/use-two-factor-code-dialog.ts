"use client";

import { useState } from "react";
import { useToast } from "@/components/ui/toast";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useDisableTwoFactor } from "./two-factor-api";

/** Turning 2FA off: asks a current code (or a recovery code); one request however often it is clicked. */
export function useDisableTwoFactorDialog() {
  const disable = useDisableTwoFactor();
  const toast = useToast();
  const once = useSingleFlight();
  const [open, setOpen] = useState(false);
  return {
    open,
    pending: disable.isPending,
    error: disable.error,
    show: () => setOpen(true),
    submit(code: string) {
      void once(async () => {
        await disable.mutateAsync({ code });
        disable.reset();
        setOpen(false);
        toast.success("Two-factor sign-in is off. Your other sessions were signed out.");
      });
    },
    clearError: () => disable.isError && disable.reset(),
    close() {
      if (disable.isPending) return;
      disable.reset();
      setOpen(false);
    },
  };
}
