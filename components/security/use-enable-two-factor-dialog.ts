"use client";

import { useState } from "react";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useEnableTwoFactor, useStartTwoFactorSetup } from "./two-factor-api";

/**
 * Setting 2FA up: a new secret from the server (QR + text), then a code from
 * the app confirms it and the recovery codes arrive, shown once. Every step
 * runs once however often it is clicked; closing drops the secret and codes.
 */
export function useEnableTwoFactorDialog() {
  const setup = useStartTwoFactorSetup();
  const enable = useEnableTwoFactor();
  const once = useSingleFlight();
  const [open, setOpen] = useState(false);
  return {
    open,
    setup: setup.data,
    setupError: setup.error,
    settingUp: setup.isPending,
    enableError: enable.error,
    enabling: enable.isPending,
    recoveryCodes: enable.data?.recoveryCodes,
    start() {
      setOpen(true);
      enable.reset();
      void once(() => setup.mutateAsync());
    },
    retrySetup() {
      void once(() => setup.mutateAsync());
    },
    confirm(code: string) {
      void once(() => enable.mutateAsync({ code }));
    },
    clearError() {
      if (enable.isError) enable.reset();
    },
    close() {
      if (setup.isPending || enable.isPending) return;
      setup.reset();
      enable.reset();
      setOpen(false);
    },
  };
}
