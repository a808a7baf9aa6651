"use client";

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { useTopModal } from "./modal-stack";
import { useIsClient } from "./use-is-client";

type Tone = "success" | "error";
interface Toast {
  id: number;
  tone: Tone;
  message: string;
}

/**
 * Toasts render at the end of <body>, or inside the innermost open modal: a
 * modal <dialog> sits in the top layer and makes the rest of the page inert, so
 * a toast anywhere else would be drawn under its backdrop and never announced.
 */
function ToastRegion({ children }: { children: ReactNode }) {
  const isClient = useIsClient();
  const modal = useTopModal();
  return isClient ? createPortal(children, modal ?? document.body) : null;
}

const ToastContext = createContext<((tone: Tone, message: string) => void) | null>(null);

/**
 * Short-lived notices. Errors are announced assertively (role="alert"),
 * successes politely; each can be dismissed and goes away by itself.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (tone: Tone, message: string) => {
      const id = Date.now() + Math.random();
      setToasts((all) => [...all.slice(-3), { id, tone, message }]);
      setTimeout(() => dismiss(id), tone === "error" ? 8_000 : 4_000);
    },
    [dismiss],
  );

  return (
    <ToastContext.Provider value={push}>
      {children}
      <ToastRegion>
        <div className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end">
          {toasts.map((t) => (
            <div
              key={t.id}
              role={t.tone === "error" ? "alert" : "status"}
              className={`pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-xl border px-4 py-3 text-sm shadow-lg ${
                t.tone === "error"
                  ? "border-red-200 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
                  : "border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
              }`}
            >
              <p className="flex-1">{t.message}</p>
              <button
                type="button"
                onClick={() => dismiss(t.id)}
                className="rounded px-1 text-current opacity-70 hover:opacity-100 focus-visible:outline-2 focus-visible:outline-current"
                aria-label="Dismiss"
              >
                ×
              </button>
            </div>
          ))}
        </div>
      </ToastRegion>
    </ToastContext.Provider>
  );
}

export function useToast() {
  const push = useContext(ToastContext);
  if (!push) throw new Error("useToast() outside <ToastProvider>");
  return useMemo(
    () => ({ success: (m: string) => push("success", m), error: (m: string) => push("error", m) }),
    [push],
  );
}
