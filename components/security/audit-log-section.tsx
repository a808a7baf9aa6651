"use client";

import { useEffect, useId, useState } from "react";
import { AUDIT_ACTIONS, type AuditAction } from "@/db/schema/constants";
import type { AuditEventView } from "@/lib/audit/query";
import { Button } from "@/components/ui/button";
import { SectionCard } from "@/components/ui/section-card";
import { Select } from "@/components/ui/select";
import { LoadError, LoadingRows, StaleBanner } from "@/components/ui/load-states";
import { inputClass } from "@/components/ui/styles";
import { TableHead } from "@/components/ui/table-head";
import { AuditChanges } from "./audit-changes";
import { explain } from "./messages";
import { RelativeTime } from "./time-label";
import { auditQueryString, useAuditLog, type AuditFilters } from "./token-api";

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
  "token.reuse_detected": "Old secret used after rotation",
  "token.canary_triggered": "Canary token used",
  "token.expiring": "Token expires soon",
  "policy.update": "Token policy changed",
  "webhook.create": "Added webhook",
  "webhook.update": "Changed webhook",
  "webhook.delete": "Deleted webhook",
  "webhook.rotate_secret": "New webhook signing secret",
  "scope.denied": "Scope denied",
  "bearer.failure": "Rejected bearer token",
  "database.restore": "Restored database from a backup",
  "session.revoked": "Signed a session out",
  "session.reauthenticated": "Confirmed identity",
  "reauth.failure": "Failed identity confirmation",
  "passkey.added": "Added passkey",
  "passkey.renamed": "Renamed passkey",
  "passkey.removed": "Removed passkey",
  "passkey.used": "Used passkey",
  "twofactor.enabled": "Turned on two-factor sign-in",
  "twofactor.disabled": "Turned off two-factor sign-in",
  "twofactor.recovery_used": "Used a recovery code",
  "twofactor.recovery_regenerated": "Made new recovery codes",
};

const ACTION_OPTIONS = [{ value: "", label: "All actions" }, ...AUDIT_ACTIONS.map((a) => ({ value: a as string, label: ACTION_LABELS[a] }))];
const CONTROL = `${inputClass()} py-1.5`;
const LABEL = "text-xs font-medium text-zinc-600 dark:text-zinc-400";
const CELL = "flex gap-2 px-4 py-0.5 md:table-cell md:py-2.5 md:align-baseline";
/** The column's name in front of each value on narrow screens, where the table header is hidden. */
const MOBILE_LABEL = "w-16 shrink-0 text-xs font-medium text-zinc-600 md:hidden dark:text-zinc-400";

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

const OUTCOME_WORDS: Record<AuditEventView["outcome"], string> = { success: "Succeeded", failure: "Failed", denied: "Denied" };

function OutcomeBadge({ outcome }: { outcome: AuditEventView["outcome"] }) {
  const tone =
    outcome === "success"
      ? "bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-300"
      : "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300";
  return <span className={`rounded-md px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${tone}`}>{OUTCOME_WORDS[outcome]}</span>;
}

/** Local midnight of a `YYYY-MM-DD`, as Unix ms. */
function startOfDay(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y!, m! - 1, d!).getTime();
}

interface Draft {
  action: string;
  target: string;
  from: string;
  to: string;
}

function filtersOf(draft: Draft): { filters: AuditFilters; error?: string } {
  const from = draft.from ? startOfDay(draft.from) : undefined;
  // "To" is the last day shown: the filter ends at the next midnight.
  const to = draft.to ? startOfDay(draft.to) + 86_400_000 : undefined;
  if (from !== undefined && to !== undefined && from >= to) return { filters: {}, error: "The start date is after the end date." };
  return {
    filters: {
      action: (draft.action || undefined) as AuditAction | undefined,
      target: draft.target.trim() || undefined,
      from,
      to,
    },
  };
}

/** Settings → Security → Audit log: who did what, newest first; filter by action, token name and dates; export. */
export function AuditLogSection() {
  const [draft, setDraft] = useState<Draft>({ action: "", target: "", from: "", to: "" });
  const [filters, setFilters] = useState<AuditFilters>({});
  const parsed = filtersOf(draft);
  // Typing in the token box waits for a pause; the other filters apply at once.
  useEffect(() => {
    if (parsed.error) return;
    const timer = setTimeout(() => setFilters(parsed.filters), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft.action, draft.target, draft.from, draft.to]);
  const log = useAuditLog(filters);
  const ids = { action: useId(), target: useId(), from: useId(), to: useId(), range: useId() };
  const events = log.data?.pages.flatMap((p) => p.events) ?? [];
  const [now, setNow] = useState(() => Date.now());
  const filtered = Boolean(filters.action || filters.target || filters.from || filters.to);
  const exportQuery = (format: "csv" | "json") => `/panel/api/setting/auditLog?${auditQueryString(filters, { format })}`;

  return (
    <SectionCard
      headingId="audit-heading"
      title="Audit log"
      description="Sign-ins, credential changes and every change to a token, with who made it and from where. Rejected bearer tokens and scope denials are counted per address and minute."
      actions={
        <div className="flex flex-wrap gap-2 self-start md:self-end">
          <Button
            size="sm"
            onClick={() => {
              setNow(Date.now());
              void log.refetch();
            }}
            disabled={log.isFetching && !log.isFetchingNextPage}
          >
            {log.isFetching && !log.isFetchingNextPage && log.data ? "Refreshing…" : "Refresh"}
          </Button>
          {(["csv", "json"] as const).map((format) => (
            <a
              key={format}
              href={exportQuery(format)}
              download
              className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm font-medium shadow-sm hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
            >
              Export {format.toUpperCase()}
            </a>
          ))}
        </div>
      }
    >
      <div role="search" aria-label="Audit events" className="grid grid-cols-2 gap-2 border-b border-zinc-200 px-4 py-3 md:grid-cols-4 dark:border-zinc-800">
        <div className="col-span-2 space-y-1 md:col-span-1">
          <label htmlFor={ids.action} className={LABEL}>
            Action
          </label>
          <Select<string>
            id={ids.action}
            className="py-1.5"
            value={draft.action}
            options={ACTION_OPTIONS}
            onValueChange={(action) => setDraft((d) => ({ ...d, action }))}
          />
        </div>
        <div className="col-span-2 space-y-1 md:col-span-1">
          <label htmlFor={ids.target} className={LABEL}>
            Token
          </label>
          <input
            id={ids.target}
            type="search"
            className={CONTROL}
            value={draft.target}
            placeholder="Name, deleted ones too"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setDraft((d) => ({ ...d, target: e.target.value }))}
          />
        </div>
        <RangeDate id={ids.from} label="From" value={draft.from} errorId={parsed.error ? ids.range : undefined} onChange={(from) => setDraft((d) => ({ ...d, from }))} />
        <RangeDate id={ids.to} label="To" value={draft.to} errorId={parsed.error ? ids.range : undefined} onChange={(to) => setDraft((d) => ({ ...d, to }))} />
        {parsed.error && (
          <p id={ids.range} className="col-span-2 text-sm text-red-700 md:col-span-4 dark:text-red-400">
            {parsed.error}
          </p>
        )}
      </div>

      {log.data && log.isError && (
        <StaleBanner
          what="the audit log"
          reason={explain(log.error, "load the audit log")}
          since={log.dataUpdatedAt}
          retrying={log.isFetching}
          onRetry={() => log.refetch()}
        />
      )}
      {!log.data ? (
        log.isError ? (
          <LoadError what="the audit log" reason={explain(log.error, "load the audit log")} onRetry={() => log.refetch()} retrying={log.isFetching} />
        ) : (
          <LoadingRows label="Loading the audit log" rows={4} />
        )
      ) : events.length === 0 ? (
        <p className="px-5 py-12 text-center text-sm text-zinc-600 dark:text-zinc-400">
          {filtered ? "No events match these filters." : "Nothing has happened yet."}
        </p>
      ) : (
        <>
          <table className={`block w-full text-sm md:table ${log.isPlaceholderData ? "opacity-60" : ""}`}>
            <caption className="sr-only">Audit events, newest first</caption>
            <TableHead columns={["Time", "Action", "Target", "Actor", "IP", "Outcome"]} />
            <tbody className="block md:table-row-group">
              {events.map((e) => (
                <tr key={e.id} role="row" className="block border-b border-zinc-200 py-2 last:border-b-0 md:table-row md:py-0 dark:border-zinc-800">
                  <td role="cell" className={`${CELL} whitespace-nowrap text-zinc-600 dark:text-zinc-400`}>
                    <span className={MOBILE_LABEL}>Time</span>
                    <RelativeTime ms={e.at} now={now} />
                  </td>
                  <td role="cell" className={`${CELL} font-medium`}>
                    <span className={MOBILE_LABEL}>Action</span>
                    <span>
                      {ACTION_LABELS[e.action]}
                      {e.count > 1 && <span className="ml-1 text-zinc-600 dark:text-zinc-400">×{e.count.toLocaleString()}</span>}
                      <AuditChanges event={e} />
                    </span>
                  </td>
                  <td role="cell" className={`${CELL} break-words`}>
                    <span className={MOBILE_LABEL}>Target</span>
                    <span className="min-w-0">{targetLabel(e) || "—"}</span>
                  </td>
                  <td role="cell" className={`${CELL} text-zinc-700 dark:text-zinc-300`}>
                    <span className={MOBILE_LABEL}>Actor</span>
                    {actorLabel(e)}
                  </td>
                  <td role="cell" className={`${CELL} font-mono text-xs text-zinc-600 dark:text-zinc-400`}>
                    <span className={`${MOBILE_LABEL} font-sans`}>IP</span>
                    {e.ip || "—"}
                  </td>
                  <td role="cell" className={CELL}>
                    <span className={MOBILE_LABEL}>Outcome</span>
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

/** One end of the date range; both ends share the range's one error line (`errorId`). */
function RangeDate({ id, label, value, errorId, onChange }: { id: string; label: string; value: string; errorId?: string; onChange(value: string): void }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      <input
        id={id}
        type="date"
        className={inputClass(Boolean(errorId))}
        value={value}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={errorId}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}
