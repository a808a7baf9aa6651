"use client";

import { Fragment, useState } from "react";
import type { TokenScope } from "@/db/schema/constants";
import { SCOPE_INFO } from "@/lib/tokens/scopes-info";
import { Popover } from "@/components/ui/popover";
import { explain } from "./messages";
import { ScopeBadge } from "./scope-badge";
import { useTokenPermissions } from "./token-api";

/** A route path that wraps after a slash, never inside a word. */
function WrappingPath({ path }: { path: string }) {
  const parts = path.split("/");
  return (
    <span className="min-w-0 [overflow-wrap:break-word]">
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && "/"}
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}

/**
 * The scope badge as a popover: open it to see exactly which routes and
 * methods this token may call (from GET …/apiTokens/{id}/permissions).
 */
export function ScopePermissions({ tokenId, scope }: { tokenId: number; scope: TokenScope }) {
  const [open, setOpen] = useState(false);
  const permissions = useTokenPermissions(tokenId, open);

  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      label={`What a ${scope} token can do`}
      trigger={
        <button
          type="button"
          aria-label={`Scope ${scope}: what this token can do`}
          className="inline-flex items-center gap-1 rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          <ScopeBadge scope={scope} />
          <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5 text-zinc-500 dark:text-zinc-400">
            <path d="M5.2 7.5a.75.75 0 0 1 1.06 0L10 11.2l3.74-3.7a.75.75 0 1 1 1.06 1.06l-4.27 4.24a.75.75 0 0 1-1.06 0L5.2 8.56a.75.75 0 0 1 0-1.06Z" />
          </svg>
        </button>
      }
    >
      <p className="font-medium">What this token can do</p>
      <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">{SCOPE_INFO[scope].summary}</p>
      {permissions.isPending ? (
        <p className="mt-2 text-zinc-600 dark:text-zinc-400">Loading the routes…</p>
      ) : permissions.isError ? (
        <p role="alert" className="mt-2 text-red-700 dark:text-red-400">
          {explain(permissions.error, "load what this token can do")}
        </p>
      ) : (
        // Focusable: a keyboard user scrolls the list with the arrow keys.
        <ul
          tabIndex={0}
          aria-label="Allowed routes"
          className="mt-2 max-h-60 space-y-1 overflow-y-auto rounded-md focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          {permissions.data.endpoints.map((e) => (
            <li key={`${e.method} ${e.path}`} className="flex gap-2 font-mono text-xs">
              <span className="w-12 shrink-0 font-semibold text-indigo-700 dark:text-indigo-300">{e.method}</span>
              <WrappingPath path={e.path} />
            </li>
          ))}
        </ul>
      )}
    </Popover>
  );
}
