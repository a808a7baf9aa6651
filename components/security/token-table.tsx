"use client";

import { useEffect, useMemo, useState } from "react";
import type { TokenView } from "@/lib/tokens/schemas";
import { Button } from "@/components/ui/button";
import { TableHead } from "@/components/ui/table-head";
import { TokenRow } from "./token-row";

const PAGE_SIZE = 20;

export interface TokenTableProps {
  tokens: TokenView[];
  csrfToken: string;
  onManage(token: TokenView): void;
  onDelete(token: TokenView): void;
}

/**
 * Newest first, filtered by name and paged: a panel with 1,000 tokens renders
 * 20 rows, and a token just created is on the first page.
 */
export function TokenTable({ tokens, csrfToken, onManage, onDelete }: TokenTableProps) {
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(0);
  // One clock reading per render pass keeps "expires in N days" consistent across rows.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);

  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const newestFirst = [...tokens].sort((a, b) => b.id - a.id);
    return needle ? newestFirst.filter((t) => t.name.toLowerCase().includes(needle)) : newestFirst;
  }, [tokens, filter]);
  const pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const rows = visible.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const first = visible.length === 0 ? 0 : current * PAGE_SIZE + 1;

  return (
    <div>
      {tokens.length > 5 && (
        <div className="border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
          <label htmlFor="token-filter" className="sr-only">
            Filter tokens
          </label>
          <input
            id="token-filter"
            type="search"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setPage(0);
            }}
            placeholder="Filter by name…"
            className="block w-full max-w-xs rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950"
          />
        </div>
      )}
      <table className="block w-full text-sm md:table">
        <caption className="sr-only">API tokens</caption>
        <TableHead columns={["Name", "Scope", "Created", "Expires", "Last used", "Enabled", ""]} />
        <tbody className="block md:table-row-group">
          {rows.map((token) => (
            <TokenRow key={token.id} token={token} now={now} csrfToken={csrfToken} onManage={onManage} onDelete={onDelete} />
          ))}
        </tbody>
      </table>
      {visible.length === 0 && (
        <p className="px-4 py-8 text-center text-sm text-zinc-500 dark:text-zinc-400">No token name contains “{filter}”.</p>
      )}
      {visible.length > PAGE_SIZE && (
        <nav
          aria-label="Token pages"
          className="flex items-center justify-between gap-3 border-t border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800"
        >
          <p className="text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {first.toLocaleString()}–{(first + rows.length - 1).toLocaleString()} of {visible.length.toLocaleString()}
          </p>
          <div className="flex gap-2">
            <Button size="sm" onClick={() => setPage(current - 1)} disabled={current === 0}>
              Previous
            </Button>
            <Button size="sm" onClick={() => setPage(current + 1)} disabled={current >= pages - 1}>
              Next
            </Button>
          </div>
        </nav>
      )}
    </div>
  );
}
