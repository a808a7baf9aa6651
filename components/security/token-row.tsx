"use client";

import { useId } from "react";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import { ExpiryLabel } from "./expiry-label";
import { explain } from "./messages";
import { ScopePermissions } from "./scope-permissions";
import { RelativeTime } from "./time-label";
import { useSetTokenEnabled, type TokenView } from "./token-api";
import { VIOLATION_TEXT } from "./policy-api";

/**
 * Cells: a table from `md` up; below that the row is a compact card of three
 * lines (name and switch; scope, expiry, last use; actions), each cell in a flex row.
 */
const CELL = "md:table-cell md:px-4 md:py-3 md:align-middle";

export interface TokenRowProps {
  token: TokenView;
  now: number;
  onManage(token: TokenView): void;
  onDelete(token: TokenView): void;
}

/** Words for the switch's state: an expired token is refused whatever the switch says. */
function stateText(token: TokenView): string {
  if (token.expired) return token.enabled ? "Expired (switched on, still refused)" : "Expired, off";
  return token.enabled ? "On" : "Off";
}

/** One token: name, scope, dates, an optimistic enable switch, Manage and Delete. */
export function TokenRow({ token, now, onManage, onDelete }: TokenRowProps) {
  const nameId = useId();
  const stateId = useId();
  const toast = useToast();
  const toggle = useSetTokenEnabled(token.id);
  const setEnabled = (enabled: boolean) =>
    toggle.mutate(enabled, {
      onError: (error) => toast.error(`Could not ${enabled ? "enable" : "disable"} “${token.name}”. ${explain(error)}`),
    });
  const muted = !token.enabled || token.expired;

  return (
    <tr
      role="row"
      className={`flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-zinc-200 px-4 py-2.5 last:border-b-0 md:table-row md:p-0 dark:border-zinc-800 ${
        muted ? "bg-zinc-50/80 dark:bg-zinc-950/40" : ""
      }`}
    >
      <td role="cell" className={`order-1 min-w-0 flex-1 basis-[calc(100%-7rem)] md:order-none ${CELL}`}>
        <div id={nameId} className={`truncate font-medium md:whitespace-normal md:break-words ${muted ? "text-zinc-600 dark:text-zinc-400" : ""}`}>
          {token.name}
        </div>
        <div className="flex min-w-0 flex-wrap items-center gap-x-2 text-xs text-zinc-600 dark:text-zinc-400">
          {token.canary && (
            <span className="rounded bg-amber-100 px-1.5 py-px font-medium text-amber-900 dark:bg-amber-950 dark:text-amber-200" title="A decoy: it never works, every use is recorded">
              canary
            </span>
          )}
          {token.policyViolations.length > 0 && (
            <span
              className="rounded bg-orange-100 px-1.5 py-px font-medium text-orange-900 dark:bg-orange-950 dark:text-orange-200"
              title={token.policyViolations.map((v) => VIOLATION_TEXT[v]).join(" ")}
            >
              breaks policy
            </span>
          )}
          <span className="font-mono">{token.prefix ? `${token.prefix}…` : "imported"}</span>
          {token.allowedIps.length > 0 && (
            <span title={token.allowedIps.join(", ")}>
              · {token.allowedIps.length === 1 ? token.allowedIps[0] : `${token.allowedIps.length} IP ranges`} only
            </span>
          )}
          {token.graceUntil > 0 && (
            <span>
              · old secret valid until <RelativeTime ms={token.graceUntil} now={now} />
            </span>
          )}
        </div>
        {token.reuseDetectedAt > 0 && (
          <div className="mt-0.5 text-xs font-medium text-red-700 dark:text-red-400">
            Old secret used after rotation · <RelativeTime ms={token.reuseDetectedAt} now={now} />
          </div>
        )}
        {token.description && (
          <p className="hidden truncate text-xs text-zinc-600 md:block md:max-w-xs dark:text-zinc-400" title={token.description}>
            {token.description}
          </p>
        )}
      </td>
      <td role="cell" className={`order-3 text-sm md:order-none ${CELL}`}>
        <ScopePermissions tokenId={token.id} scope={token.scope} />
      </td>
      <td role="cell" className={`hidden text-sm whitespace-nowrap text-zinc-700 dark:text-zinc-300 ${CELL}`}>
        <RelativeTime ms={token.createdAt * 1000} now={now} />
      </td>
      <td role="cell" className={`order-4 text-sm text-zinc-700 md:order-none dark:text-zinc-300 ${CELL}`}>
        <span className="md:hidden">
          <ExpiryLabel expiresAt={token.expiresAt} now={now} compact />
        </span>
        <span className="hidden md:inline">
          <ExpiryLabel expiresAt={token.expiresAt} now={now} />
        </span>
      </td>
      <td role="cell" className={`order-5 text-sm text-zinc-700 md:order-none dark:text-zinc-300 ${CELL}`}>
        {token.lastUsedAt === 0 ? (
          <span className="text-zinc-600 dark:text-zinc-400">
            <span className="md:hidden">Never used</span>
            <span className="hidden md:inline">Never</span>
          </span>
        ) : (
          <span className="inline-flex flex-wrap items-baseline gap-x-1.5">
            <span className="md:hidden">Used</span>
            <RelativeTime ms={token.lastUsedAt * 1000} now={now} />
            {token.lastUsedIp && <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400">{token.lastUsedIp}</span>}
          </span>
        )}
      </td>
      <td role="cell" className={`order-2 md:order-none ${CELL}`}>
        <div className="flex items-center gap-2">
          <Switch
            checked={token.enabled}
            onChange={setEnabled}
            label={`Token ${token.name} enabled`}
            describedBy={stateId}
            muted={token.expired}
          />
          <span id={stateId} className={`text-xs ${token.expired ? "text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}>
            {token.expired ? "Expired" : token.enabled ? "On" : "Off"}
            <span className="sr-only">: {stateText(token)}</span>
          </span>
        </div>
      </td>
      <td role="cell" className={`order-6 -mr-2 ml-auto whitespace-nowrap md:order-none md:mr-0 md:text-right ${CELL}`}>
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
