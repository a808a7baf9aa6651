"use client";

import { Toast as ToastPrimitive } from "radix-ui";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

type Tone = "success" | "error";
interface Notice {
  id: number;
  tone: Tone;
  message: string;
  open: boolean;
}

const ToastContext = createContext<((tone: Tone, message: string) => void) | null>(null);

const TONES: Record<Tone, string> = {
  success:
    "border-emerald-200 bg-emerald-50 text-emerald-950 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-50",
  error: "border-red-200 bg-red-50 text-red-950 dark:border-red-900 dark:bg-red-950 dark:text-red-50",
};

let nextId = 1;

/**
 * Short-lived notices (Radix toasts) in the "Notifications" region: announced
 * by screen readers (Radix's own live region; errors assertively), paused while
 * hovered or focused, reachable with F8, dismissable. Errors stay longer.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const push = useCallback((tone: Tone, message: string) => {
    setNotices((all) => [...all.filter((n) => n.open).slice(-3), { id: nextId++, tone, message, open: true }]);
  }, []);
  const close = (id: number) => setNotices((all) => all.map((n) => (n.id === id ? { ...n, open: false } : n)));

  return (
    <ToastContext.Provider value={push}>
      <ToastPrimitive.Provider label="Notification" swipeDirection="right">
        {children}
        {notices.map((n) => (
          <ToastPrimitive.Root
            key={n.id}
            open={n.open}
            onOpenChange={(open) => !open && close(n.id)}
            duration={n.tone === "error" ? 8_000 : 4_000}
            type={n.tone === "error" ? "foreground" : "background"}
            className={`flex w-full items-start gap-3 rounded-xl border px-4 py-3 text-sm shadow-lg data-[state=closed]:hidden ${TONES[n.tone]}`}
          >
            <ToastPrimitive.Description className="flex-1">{n.message}</ToastPrimitive.Description>
            <ToastPrimitive.Close
              aria-label="Dismiss"
              className="rounded px-1 text-current opacity-80 hover:opacity-100 focus-visible:outline-2 focus-visible:outline-current"
            >
              <span aria-hidden="true">×</span>
            </ToastPrimitive.Close>
          </ToastPrimitive.Root>
        ))}
        <ToastPrimitive.Viewport className="fixed right-0 bottom-0 z-[60] m-0 flex w-full max-w-sm list-none flex-col gap-2 p-4 outline-none" />
      </ToastPrimitive.Provider>
    </ToastContext.Provider>
  );
}

export function useToast() {
  const push = useContext(ToastContext);
  if (!push) throw new Error("useToast() outside <ToastProvider>");
  return useMemo(() => ({ success: (m: string) => push("success", m), error: (m: string) => push("error", m) }), [push]);
}
