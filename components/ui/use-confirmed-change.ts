"use client";

import type { UseMutationResult } from "@tanstack/react-query";
import { useToast } from "./toast";
import { useSingleFlight } from "./use-single-flight";

/**
 * What a confirm dialog for one change needs: one request however often it is
 * clicked, closed with a toast on success, the refusal kept on failure, and
 * Cancel ignored while the request is out.
 */
export function useConfirmedChange<T, V>(
  mutation: UseMutationResult<unknown, Error, V>,
  target: T | null,
  change: { variables(target: T): V; done(target: T): string },
  onClose: () => void,
) {
  const toast = useToast();
  const once = useSingleFlight();
  return {
    pending: mutation.isPending,
    error: mutation.error,
    confirm() {
      if (target === null) return;
      void once(async () => {
        await mutation.mutateAsync(change.variables(target));
        mutation.reset();
        onClose();
        toast.success(change.done(target));
      });
    },
    cancel() {
      if (mutation.isPending) return;
      mutation.reset();
      onClose();
    },
  };
}
