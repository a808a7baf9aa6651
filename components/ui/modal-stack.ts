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

/** What hideAllButTop() set aria-hidden on, so that only those are restored. */
let hidden: Element[] = [];

/**
 * Hides everything on <body> but the innermost modal from the accessibility
 * tree (as Radix and Headless UI do), so assistive technology — and role-based
 * queries — see only the dialog, not the row buttons behind it. Recomputed on
 * every open and close, so dialogs closing out of order leave the right state.
 */
function hideAllButTop(): void {
  for (const el of hidden) el.removeAttribute("aria-hidden");
  hidden = [];
  const top = stack.at(-1);
  if (!top) return;
  for (const el of Array.from(document.body.children)) {
    if (el === top || el.contains(top) || el.tagName === "SCRIPT" || el.getAttribute("aria-hidden") === "true") continue;
    el.setAttribute("aria-hidden", "true");
    hidden.push(el);
  }
}

/** Registers an opened modal; the returned function unregisters it. */
export function pushModal(element: HTMLElement): () => void {
  stack.push(element);
  hideAllButTop();
  emit();
  return () => {
    const index = stack.lastIndexOf(element);
    if (index !== -1) stack.splice(index, 1);
    hideAllButTop();
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
