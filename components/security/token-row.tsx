"use client";

import { useId } from "react";
import type { TokenView } from "@/lib/tokens/schemas";
import { formatDate } from "@/lib/client/format";
import { useSetTokenEnabled } from "@/lib/client/token-queries";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { ExpiryLabel } from "./expiry-label";
import { ScopeBadge } from "./scope-badge";

const CELL = "block px-4 py-1 md:table-cell md:py-3 md:align-middle";
const MOBILE_LABEL = "mr-2 text-xs font-medium tracking-wide text-zinc-500 uppercase md:hidden dark:text-zinc-400";

export interface TokenRowProps {
  token: TokenView;
  now: number;
  csrfToken: string;
  onDelete(token: TokenView): void;
}

/** One token: name, scope, dates, an optimistic enable switch and Delete. */
export function TokenRow({ token, now, csrfToken, onDelete }: TokenRowProps) {
  const nameId = useId();
  const toast = useToast();
  const toggle = useSetTokenEnabled(token.id, csrfToken);
  const setEnabled = (enabled: boolean) =>
    toggle.mutate(enabled, {
      onError: (error) => toast.error(`Could not ${enabled ? "enable" : "disable"} “${token.name}”: ${error.message}`),
    });

  return (
    <tr
      role="row"
      className="block border-b border-zinc-200 py-3 last:border-b-0 md:table-row md:py-0 dark:border-zinc-800"
    >
      <td role="cell" className={CELL}>
        <div id={nameId} className="font-medium break-all text-zinc-900 dark:text-zinc-100">
          {token.name}
        </div>
        {token.prefix && (
          <div className="font-mono text-xs text-zinc-500 dark:text-zinc-400" aria-label={`starts with ${token.prefix}`}>
            {token.prefix}…
          </div>
        )}
      </td>
      <td role="cell" className={CELL}>
        <span className={MOBILE_LABEL}>Scope</span>
        <ScopeBadge scope={token.scope} />
      </td>
      <td role="cell" className={`${CELL} text-zinc-700 dark:text-zinc-300`}>
        <span className={MOBILE_LABEL}>Created</span>
        {formatDate(token.createdAt * 1000)}
      </td>
      <td role="cell" className={`${CELL} text-zinc-700 dark:text-zinc-300`}>
        <span className={MOBILE_LABEL}>Expires</span>
        <ExpiryLabel expiresAt={token.expiresAt} now={now} />
      </td>
      <td role="cell" className={`${CELL} flex items-center gap-3 md:table-cell`}>
        <span className={MOBILE_LABEL}>Enabled</span>
        <Switch
          checked={token.enabled}
          onChange={setEnabled}
          label={`Token ${token.name} enabled`}
        />
      </td>
      <td role="cell" className={`${CELL} pt-2 md:pt-3 md:text-right`}>
        <Button variant="ghostDanger" size="sm" onClick={() => onDelete(token)} aria-describedby={nameId}>
          Delete
        </Button>
      </td>
    </tr>
  );
}
