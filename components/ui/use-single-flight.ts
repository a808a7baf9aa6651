"use client";

import { useCallback, useRef } from "react";

/**
 * Runs a write at most once at a time. The guard is a ref set synchronously in
 * the click or submit handler, so a second click that arrives before React has
 * re-rendered (and disabled the button) does nothing. Pass `mutateAsync`
 * calls: a failure resolves to undefined and stays readable on the mutation.
 */
export function useSingleFlight(): <T>(run: () => Promise<T>) => Promise<T | undefined> {
  const busy = useRef(false);
  return useCallback(async <T,>(run: () => Promise<T>) => {
    if (busy.current) return undefined;
    busy.current = true;
    try {
      return await run();
    } catch {
      // The mutation keeps the error for the page to show; nothing to rethrow into a click handler.
      return undefined;
    } finally {
      busy.current = false;
    }
  }, []);
}
