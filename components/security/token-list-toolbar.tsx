"use client";

import { useEffect, useState } from "react";
import { TOKEN_SCOPES } from "@/db/schema/constants";
import { inputClass } from "@/components/ui/styles";
import { PAGE_SIZES, Q_MAX, TOKEN_STATUSES, type TokenListParams, type TokenSort, type TokenStatus } from "./token-list-params";

const STATUS_LABELS: Record<TokenStatus, string> = {
  enabled: "Enabled",
  disabled: "Disabled",
  expired: "Expired",
  expiring: "Expiring within 7 days",
};

const SORTS: { value: TokenSort; label: string }[] = [
  { value: "-created", label: "Newest first" },
  { value: "created", label: "Oldest first" },
  { value: "name", label: "Name A–Z" },
  { value: "-name", label: "Name Z–A" },
  { value: "-lastUsed", label: "Recently used" },
  { value: "lastUsed", label: "Least recently used" },
  { value: "expiry", label: "Expiring soonest" },
  { value: "-expiry", label: "Expiring latest" },
];

const SELECT = `${inputClass()} py-1.5`;
const LABEL = "text-xs font-medium text-zinc-600 dark:text-zinc-400";

export interface TokenListToolbarProps {
  params: TokenListParams;
  onChange(next: Partial<TokenListParams>, options?: { replace?: boolean }): void;
}

/** Search (name or prefix), status and scope filters, sort and page size; all of it lives in the URL. */
export function TokenListToolbar({ params, onChange }: TokenListToolbarProps) {
  const [text, setText] = useState(params.q);
  // The last q this box saw in the URL: when back/forward (or a link) changes it, the box follows.
  const [seen, setSeen] = useState(params.q);
  if (params.q !== seen) {
    setSeen(params.q);
    setText(params.q);
  }
  useEffect(() => {
    if (text === params.q) return;
    const timer = setTimeout(() => onChange({ q: text }, { replace: true }), 250);
    return () => clearTimeout(timer);
  }, [text, params.q, onChange]);

  return (
    <div role="search" aria-label="Tokens" className="grid grid-cols-2 gap-2 border-b border-zinc-200 px-4 py-3 sm:grid-cols-[minmax(12rem,2fr)_repeat(4,minmax(0,1fr))] dark:border-zinc-800">
      <div className="col-span-2 space-y-1 sm:col-span-1">
        <label htmlFor="token-search" className={LABEL}>
          Search tokens
        </label>
        <input
          id="token-search"
          type="search"
          value={text}
          maxLength={Q_MAX}
          onChange={(e) => setText(e.target.value)}
          placeholder="Name or xui_ prefix"
          autoComplete="off"
          spellCheck={false}
          className={`${inputClass()} py-1.5`}
        />
      </div>
      <div className="space-y-1">
        <label htmlFor="token-status" className={LABEL}>
          Status
        </label>
        <select
          id="token-status"
          value={params.status ?? ""}
          onChange={(e) => onChange({ status: (e.target.value || undefined) as TokenStatus | undefined })}
          className={SELECT}
        >
          <option value="">Any status</option>
          {TOKEN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="token-scope" className={LABEL}>
          Scope
        </label>
        <select
          id="token-scope"
          value={params.scope ?? ""}
          onChange={(e) => onChange({ scope: (e.target.value || undefined) as TokenListParams["scope"] })}
          className={SELECT}
        >
          <option value="">Any scope</option>
          {TOKEN_SCOPES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="token-sort" className={LABEL}>
          Sort
        </label>
        <select id="token-sort" value={params.sort} onChange={(e) => onChange({ sort: e.target.value as TokenSort })} className={SELECT}>
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor="token-limit" className={LABEL}>
          Per page
        </label>
        <select id="token-limit" value={params.limit} onChange={(e) => onChange({ limit: Number(e.target.value) })} className={SELECT}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
