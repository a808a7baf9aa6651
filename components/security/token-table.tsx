"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { TableHead } from "@/components/ui/table-head";
import { TokenRow } from "./token-row";
import type { TokenPage, TokenView } from "./token-api";
import type { TokenListParams } from "./token-list-params";

export interface TokenTableProps {
  page: TokenPage;
  params: TokenListParams;
  /** `cursor` undefined: the first page. */
  onPage(cursor: string | undefined, start: number): void;
  onManage(token: TokenView): void;
  onDelete(token: TokenView): void;
  /** A new page is on its way (the rows shown are the previous one). */
  loading: boolean;
}

/** One page of tokens, as the server sorted and filtered them, with Previous / Next. */
export function TokenTable({ page, params, onPage, onManage, onDelete, loading }: TokenTableProps) {
  // One clock reading per render keeps "expires in N days" consistent across rows.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);

  const first = page.items.length === 0 ? 0 : params.start;
  const previous = (cursor: string) => {
    const start = first - params.limit;
    onPage(start <= 1 ? undefined : cursor, Math.max(1, start));
  };
  const last = first + page.items.length - 1;
  return (
    <div aria-busy={loading || undefined}>
      <table className="block w-full text-sm md:table">
        <caption className="sr-only">API tokens</caption>
        <TableHead columns={["Name", "Scope", "Created", "Expires", "Last used", "Enabled", ""]} />
        <tbody className={`block md:table-row-group ${loading ? "opacity-60" : ""}`}>
          {page.items.map((token) => (
            <TokenRow key={token.id} token={token} now={now} onManage={onManage} onDelete={onDelete} />
          ))}
        </tbody>
      </table>
      {(page.nextCursor || page.prevCursor) && (
        <nav
          aria-label="Token pages"
          className="flex items-center justify-between gap-3 border-t border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800"
        >
          <p className="text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {first.toLocaleString()}–{last.toLocaleString()} of {page.total.toLocaleString()}
          </p>
          <div className="flex gap-2">
            <Button size="sm" onClick={() => page.prevCursor && previous(page.prevCursor)} disabled={!page.prevCursor}>
              Previous
            </Button>
            <Button size="sm" onClick={() => page.nextCursor && onPage(page.nextCursor, last + 1)} disabled={!page.nextCursor}>
              Next
            </Button>
          </div>
        </nav>
      )}
    </div>
  );
}
