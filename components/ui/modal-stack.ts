import { useSyncExternalStore } from "react";

/**
 * The open modal dialogs, innermost last. A native modal sits in the browser's
 * top layer and makes everything outside it inert, so anything that must stay
 * visible and audible while one is open (toasts) renders inside the top one.
 */
const stack: HTMLElement[] = [];
const listeners = new Set<() => void>();

function emit() {
  for (const listener of listeners) listener();
}

/** Registers an opened modal; the returned function unregisters it. */
export function pushModal(element: HTMLElement): () => void {
  stack.push(element);
  emit();
  return () => {
    const index = stack.lastIndexOf(element);
    if (index !== -1) stack.splice(index, 1);
    emit();
  };
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The innermost open modal, or null (always null during server rendering). */
export function useTopModal(): HTMLElement | null {
  return useSyncExternalStore(
    subscribe,
    () => stack.at(-1) ?? null,
    () => null,
  );
}
