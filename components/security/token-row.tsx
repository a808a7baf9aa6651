"use client";

import { useId } from "react";
import type { TokenView } from "@/lib/tokens/schemas";
import { formatDate, formatDateTime, relativeTime } from "@/lib/client/format";
import { useSetTokenEnabled } from "@/lib/client/token-queries";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { ExpiryLabel } from "./expiry-label";
import { ScopePermissions } from "./scope-permissions";

const CELL = "block px-4 py-1 md:table-cell md:py-3 md:align-middle";
const MOBILE_LABEL = "mr-2 text-xs font-medium tracking-wide text-zinc-500 uppercase md:hidden dark:text-zinc-400";

export interface TokenRowProps {
  token: TokenView;
  now: number;
  csrfToken: string;
  onManage(token: TokenView): void;
  onDelete(token: TokenView): void;
}

/** One token: name, scope, dates, an optimistic enable switch and Delete. */
export function TokenRow({ token, now, csrfToken, onManage, onDelete }: TokenRowProps) {
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
      className={`block border-b border-zinc-200 py-3 last:border-b-0 md:table-row md:py-0 dark:border-zinc-800 ${
        token.enabled ? "" : "bg-zinc-50/80 text-zinc-500 dark:bg-zinc-950/40"
      }`}
    >
      <td role="cell" className={CELL}>
        <div id={nameId} className="font-medium break-all text-zinc-900 dark:text-zinc-100">
          {token.name}
        </div>
        <div className="flex flex-wrap items-center gap-x-2 text-xs text-zinc-500 dark:text-zinc-400">
          <span className="font-mono">{token.prefix ? `${token.prefix}…` : "imported"}</span>
          {token.allowedIps.length > 0 && (
            <span title={token.allowedIps.join(", ")}>
              · {token.allowedIps.length === 1 ? token.allowedIps[0] : `${token.allowedIps.length} IP ranges`} only
            </span>
          )}
          {token.graceUntil > 0 && <span>· old secret valid until {formatDateTime(token.graceUntil)}</span>}
        </div>
      </td>
      <td role="cell" className={CELL}>
        <span className={MOBILE_LABEL}>Scope</span>
        <ScopePermissions tokenId={token.id} scope={token.scope} />
      </td>
      <td role="cell" className={`${CELL} text-zinc-700 dark:text-zinc-300`}>
        <span className={MOBILE_LABEL}>Created</span>
        {formatDate(token.createdAt * 1000)}
      </td>
      <td role="cell" className={`${CELL} text-zinc-700 dark:text-zinc-300`}>
        <span className={MOBILE_LABEL}>Expires</span>
        <ExpiryLabel expiresAt={token.expiresAt} now={now} />
      </td>
      <td role="cell" className={`${CELL} text-zinc-700 dark:text-zinc-300`}>
        <span className={MOBILE_LABEL}>Last used</span>
        {token.lastUsedAt === 0 ? (
          <span className="text-zinc-500 dark:text-zinc-400">Never</span>
        ) : (
          <span title={`${formatDateTime(token.lastUsedAt * 1000)} from ${token.lastUsedIp}`}>
            {relativeTime(token.lastUsedAt * 1000, now)}
          </span>
        )}
      </td>
      <td role="cell" className={`${CELL} flex items-center gap-3 md:table-cell`}>
        <span className={MOBILE_LABEL}>Enabled</span>
        <Switch
          checked={token.enabled}
          onChange={setEnabled}
          label={`Token ${token.name} enabled`}
        />
      </td>
      <td role="cell" className={`${CELL} pt-2 whitespace-nowrap md:pt-3 md:text-right`}>
        <Button variant="ghost" size="sm" onClick={() => onManage(token)} aria-describedby={nameId}>
          Manage
        </Button>
        <Button variant="ghostDanger" size="sm" onClick={() => onDelete(token)} aria-describedby={nameId}>
          Delete
        </Button>
      </td>
    </tr>
  );
}
