"use client";

import { useState } from "react";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useRotateToken, useUpdateToken, type TokenView, type UpdateTokenVariables } from "./token-api";

export interface RotateRequest {
  graceSeconds: number;
  /** Set for an expired token: the new secret's expiry (0 = never). */
  expiresAt?: number;
}

/**
 * The Manage dialog's writes: save (only the fields that changed) and rotate
 * (after a confirmation). Each runs once however often it is clicked; the
 * rotated plaintext lives only in the rotate mutation's result.
 */
export function useManageTokenDialog(token: TokenView | null, onClose: () => void) {
  const update = useUpdateToken();
  const rotate = useRotateToken();
  const saveOnce = useSingleFlight();
  const rotateOnce = useSingleFlight();
  const [rotating, setRotating] = useState<RotateRequest | null>(null);

  return {
    save: (changes: Omit<UpdateTokenVariables, "id">) =>
      token ? saveOnce(() => update.mutateAsync({ id: token.id, ...changes })) : Promise.resolve(undefined),
    saving: update.isPending,
    saveError: update.error,
    resetSave: () => update.reset(),

    /** Asks first: the confirmation says what happens to the current secret. */
    askRotate: (request: RotateRequest) => {
      rotate.reset();
      setRotating(request);
    },
    rotating,
    cancelRotate: () => !rotate.isPending && setRotating(null),
    confirmRotate: () => {
      if (!token || !rotating) return;
      void rotateOnce(async () => {
        await rotate.mutateAsync({ id: token.id, ...rotating });
        setRotating(null);
        update.reset();
        onClose();
      });
    },
    rotatePending: rotate.isPending,
    rotateError: rotate.error,
    rotated: rotate.data,
    dismissRotated: () => rotate.reset(),

    close: () => {
      if (update.isPending || rotate.isPending) return;
      update.reset();
      onClose();
    },
  };
}
