"use client";

import { useSyncExternalStore } from "react";
import { passkeysSupported } from "@/lib/client/passkeys";

export type PasskeySupport = "checking" | "supported" | "unsupported" | "insecure";

const never = () => () => {};

/** Whether this browser can use passkeys here; "checking" while rendered on the server. */
export function usePasskeySupport(): PasskeySupport {
  return useSyncExternalStore<PasskeySupport>(
    never,
    () => (!window.isSecureContext ? "insecure" : passkeysSupported() ? "supported" : "unsupported"),
    () => "checking",
  );
}
