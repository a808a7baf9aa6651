"use client";

import { useEffect, useState } from "react";
import { TOKEN_SCOPES } from "@/db/schema/constants";
import { Select as BaseSelect, type SelectOption, type SelectProps } from "@/components/ui/select";
import { inputClass } from "@/components/ui/styles";
import { PAGE_SIZES, Q_MAX, TOKEN_STATUSES, type TokenListParams, type TokenSort, type TokenStatus } from "./token-list-params";

const STATUS_LABELS: Record<TokenStatus, string> = {
  enabled: "Enabled",
  disabled: "Disabled",
  expired: "Expired",
  expiring: "Expiring within 7 days",
  violating: "Breaks the token policy",
};

const SORTS: SelectOption<TokenSort>[] = [
  { value: "-created", label: "Newest first" },
  { value: "created", label: "Oldest first" },
  { value: "name", label: "Name A–Z" },
  { value: "-name", label: "Name Z–A" },
  { value: "-lastUsed", label: "Recently used" },
  { value: "lastUsed", label: "Least recently used" },
  { value: "expiry", label: "Expiring soonest" },
  { value: "-expiry", label: "Expiring latest" },
];

const STATUS_OPTIONS = [{ value: "" as const, label: "Any status" }, ...TOKEN_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))];
const SCOPE_OPTIONS = [{ value: "" as const, label: "Any scope" }, ...TOKEN_SCOPES.map((s) => ({ value: s, label: s }))];
const LIMITS = PAGE_SIZES.map((n) => ({ value: n, label: String(n) }));
const LABEL = "text-xs font-medium text-zinc-600 dark:text-zinc-400";

/** A small labelled select of the toolbar. */
function Select<T extends string | number>({ id, label, ...props }: { id: string; label: string } & SelectProps<T>) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      <BaseSelect id={id} className="py-1.5" {...props} />
    </div>
  );
}

export interface TokenListToolbarProps {
  params: TokenListParams;
  onChange(next: Partial<TokenListParams>, options?: { replace?: boolean }): void;
}

/** Search (name or prefix), status and scope filters, sort and page size; all of it lives in the URL. */
export function TokenListToolbar({ params, onChange }: TokenListToolbarProps) {
  const [text, setText] = useState(params.q);
  // The box follows the URL when Back/Forward or a link changes q, but not when the change is
  // this box's own (debounced) write arriving: by then the person may have typed more.
  const [seen, setSeen] = useState(params.q);
  const [written, setWritten] = useState(params.q);
  if (params.q !== seen) {
    setSeen(params.q);
    if (params.q !== written) setText(params.q);
  }
  useEffect(() => {
    if (text === params.q) return;
    const timer = setTimeout(() => {
      setWritten(text);
      onChange({ q: text }, { replace: true });
    }, 250);
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
      <Select
        id="token-status"
        label="Status"
        value={params.status ?? ""}
        options={STATUS_OPTIONS}
        onValueChange={(status) => onChange({ status: status || undefined })}
      />
      <Select
        id="token-scope"
        label="Scope"
        value={params.scope ?? ""}
        options={SCOPE_OPTIONS}
        onValueChange={(scope) => onChange({ scope: scope || undefined })}
      />
      <Select id="token-sort" label="Sort" value={params.sort} options={SORTS} onValueChange={(sort) => onChange({ sort })} />
      <Select id="token-limit" label="Per page" value={params.limit} options={LIMITS} onValueChange={(limit) => onChange({ limit })} />
    </div>
  );
}
