"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { TokenScope } from "@/db/schema/constants";
import { useTokenPermissions } from "@/lib/client/token-queries";
import { SCOPE_INFO } from "@/lib/tokens/scopes-info";
import { ScopeBadge } from "./scope-badge";

/**
 * The scope badge as a disclosure: open it to see exactly which routes and
 * methods this token may call (from GET …/apiTokens/{id}/permissions).
 */
export function ScopePermissions({ tokenId, scope }: { tokenId: number; scope: TokenScope }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const permissions = useTokenPermissions(tokenId, open);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => ref.current && !ref.current.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  return (
    <div ref={ref} className="relative inline-block">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Scope ${scope}: what this token can do`}
        onClick={() => setOpen((o) => !o)}
        className="inline-flex items-center gap-1 rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        <ScopeBadge scope={scope} />
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5 text-zinc-400">
          <path d="M5.2 7.5a.75.75 0 0 1 1.06 0L10 11.2l3.74-3.7a.75.75 0 1 1 1.06 1.06l-4.27 4.24a.75.75 0 0 1-1.06 0L5.2 8.56a.75.75 0 0 1 0-1.06Z" />
        </svg>
      </button>
      {open && (
        <div
          id={panelId}
          className="absolute left-0 z-30 mt-2 w-80 max-w-[calc(100vw-2rem)] rounded-xl border border-zinc-200 bg-white p-3 text-sm shadow-xl dark:border-zinc-700 dark:bg-zinc-900"
        >
          <p className="font-medium">What this token can do</p>
          <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">{SCOPE_INFO[scope].summary}</p>
          {permissions.isPending ? (
            <p className="mt-2 text-zinc-500">Loading…</p>
          ) : permissions.isError ? (
            <p role="alert" className="mt-2 text-red-700 dark:text-red-400">
              {permissions.error.message}
            </p>
          ) : (
            <ul className="mt-2 max-h-60 space-y-1 overflow-y-auto" aria-label="Allowed routes">
              {permissions.data.endpoints.map((e) => (
                <li key={`${e.method} ${e.path}`} className="flex gap-2 font-mono text-xs">
                  <span className="w-10 shrink-0 font-semibold text-indigo-700 dark:text-indigo-300">{e.method}</span>
                  <span className="break-all">{e.path}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
