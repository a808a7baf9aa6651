"use client";

import { useEffect, useState, type RefObject } from "react";

export type CopyState = "idle" | "copied" | "manual";

/**
 * Copies a secret shown once: the Clipboard API, else the text selected in
 * `input` for Ctrl+C (plain http on a LAN address has no Clipboard API).
 * "Copied" fades after a moment; `copiedOnce` stays, for "close without copying?".
 */
export function useCopy(text: string | undefined, input: RefObject<HTMLInputElement | null>) {
  const [copy, setCopy] = useState<CopyState>("idle");
  const [copiedOnce, setCopiedOnce] = useState(false);

  useEffect(() => {
    if (copy !== "copied") return;
    const timer = setTimeout(() => setCopy((c) => (c === "copied" ? "idle" : c)), 2_500);
    return () => clearTimeout(timer);
  }, [copy]);

  async function copyNow() {
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      setCopy("copied");
      setCopiedOnce(true);
    } catch {
      input.current?.focus();
      input.current?.select();
      const ok = document.execCommand?.("copy") ?? false;
      setCopy(ok ? "copied" : "manual");
      if (ok) setCopiedOnce(true);
    }
  }

  return { copy, copiedOnce, copyNow };
}
