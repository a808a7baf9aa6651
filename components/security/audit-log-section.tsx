"use client";

import { useId, useState } from "react";
import { AUDIT_ACTIONS, type AuditAction } from "@/db/schema/constants";
import type { AuditEventView } from "@/lib/audit/query";
import { formatDateTime } from "@/lib/client/format";
import { useAuditLog, useTokens, type AuditFilters } from "@/lib/client/token-queries";
import { Button } from "@/components/ui/button";
import { SectionCard } from "@/components/ui/section-card";
import { LoadError, LoadingRows } from "@/components/ui/load-states";
import { TableHead } from "@/components/ui/table-head";

const ACTION_LABELS: Record<AuditAction, string> = {
  "login.success": "Signed in",
  "login.failure": "Failed sign-in",
  logout: "Signed out",
  "credentials.change": "Changed admin credentials",
  "token.create": "Created token",
  "token.update": "Edited token",
  "token.rotate": "Rotated token",
  "token.enable": "Enabled token",
  "token.disable": "Disabled token",
  "token.delete": "Deleted token",
  "token.leak_revoke": "Revoked leaked token",
  "scope.denied": "Scope denied",
  "bearer.failure": "Rejected bearer token",
};

const SELECT =
  "block w-full rounded-lg border border-zinc-300 bg-white px-3 py-1.5 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-950";
const CELL = "block px-4 py-0.5 md:table-cell md:py-2.5 md:align-top";

function actorLabel(e: AuditEventView): string {
  switch (e.actor.type) {
    case "session":
      return `${e.actor.name} (signed in)`;
    case "token":
      return `token “${e.actor.name}”`;
    case "system":
      return e.actor.name || "system";
    case "anonymous":
      return "anonymous";
  }
}

function targetLabel(e: AuditEventView): string {
  if (!e.target.type) return "";
  if (e.target.type === "token") return e.target.name || `token #${e.target.id}`;
  return e.target.name || e.target.type;
}

function OutcomeBadge({ outcome }: { outcome: AuditEventView["outcome"] }) {
  const tone =
    outcome === "success"
      ? "bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300"
      : "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300";
  return <span className={`rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${tone}`}>{outcome}</span>;
}

/** Settings → Security → Audit log: who did what, newest first, filterable by action and token. */
export function AuditLogSection() {
  const [filters, setFilters] = useState<AuditFilters>({});
  const log = useAuditLog(filters);
  const tokens = useTokens();
  const ids = { action: useId(), token: useId() };
  const events = log.data?.pages.flatMap((p) => p.events) ?? [];

  return (
    <SectionCard
      headingId="audit-heading"
      title="Audit log"
      description="Sign-ins, credential changes and every change to a token, with who made it and from where. Rejected bearer tokens and scope denials are counted per address and minute."
      actions={
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 md:w-[28rem]">
          <div className="space-y-1">
            <label htmlFor={ids.action} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
              Action
            </label>
            <select
              id={ids.action}
              className={SELECT}
              value={filters.action ?? ""}
              onChange={(e) => setFilters((f) => ({ ...f, action: (e.target.value || undefined) as AuditAction | undefined }))}
            >
              <option value="">All actions</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {ACTION_LABELS[a]}
                </option>
              ))}
            </select>
          </div>
          <div className="space-y-1">
            <label htmlFor={ids.token} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
              Token
            </label>
            <select
              id={ids.token}
              className={SELECT}
              value={filters.tokenId ?? ""}
              onChange={(e) => setFilters((f) => ({ ...f, tokenId: e.target.value ? Number(e.target.value) : undefined }))}
            >
              <option value="">All tokens</option>
              {(tokens.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
        </div>
      }
    >
      {log.isPending ? (
        <LoadingRows label="Loading the audit log" rows={4} />
      ) : log.isError ? (
        <LoadError what="the audit log" reason={log.error.message} onRetry={() => log.refetch()} />
      ) : events.length === 0 ? (
        <p className="px-5 py-12 text-center text-sm text-zinc-600 dark:text-zinc-400">
          {filters.action || filters.tokenId !== undefined ? "No events match these filters." : "Nothing has happened yet."}
        </p>
      ) : (
        <>
          <table className="block w-full text-sm md:table">
            <caption className="sr-only">Audit events, newest first</caption>
            <TableHead columns={["Time", "Action", "Target", "Actor", "IP", "Outcome"]} />
            <tbody className="block md:table-row-group">
              {events.map((e) => (
                <tr key={e.id} role="row" className="block border-b border-zinc-200 py-2 last:border-b-0 md:table-row md:py-0 dark:border-zinc-800">
                  <td role="cell" className={`${CELL} whitespace-nowrap text-zinc-600 dark:text-zinc-400`}>
                    {formatDateTime(e.at)}
                  </td>
                  <td role="cell" className={`${CELL} font-medium`}>
                    {ACTION_LABELS[e.action]}
                    {e.count > 1 && <span className="ml-1 text-zinc-500 dark:text-zinc-400">×{e.count.toLocaleString()}</span>}
                  </td>
                  <td role="cell" className={`${CELL} break-all`}>
                    {targetLabel(e)}
                  </td>
                  <td role="cell" className={`${CELL} text-zinc-700 dark:text-zinc-300`}>
                    {actorLabel(e)}
                  </td>
                  <td role="cell" className={`${CELL} font-mono text-xs text-zinc-600 dark:text-zinc-400`}>
                    {e.ip}
                  </td>
                  <td role="cell" className={CELL}>
                    <OutcomeBadge outcome={e.outcome} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {log.hasNextPage && (
            <div className="border-t border-zinc-200 p-4 text-center dark:border-zinc-800">
              <Button size="sm" onClick={() => log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                {log.isFetchingNextPage ? "Loading…" : "Load older events"}
              </Button>
            </div>
          )}
        </>
      )}
    </SectionCard>
  );
}
