"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { ErrorNote } from "@/components/ui/error-note";
import { LoadError, LoadingRows, StaleBanner } from "@/components/ui/load-states";
import { SectionCard } from "@/components/ui/section-card";
import { TableHead } from "@/components/ui/table-head";
import { useToast } from "@/components/ui/toast";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { explain } from "./messages";
import { useRevokeSession, useSessions, type SessionView } from "./session-api";
import { RelativeTime } from "./time-label";
import { useRevokeOthersDialog } from "./use-revoke-others-dialog";

const CELL = "flex gap-2 px-4 py-0.5 md:table-cell md:py-3 md:align-middle";
const MOBILE_LABEL = "w-20 shrink-0 text-xs font-medium text-zinc-600 md:hidden dark:text-zinc-400";

function deviceName(s: SessionView): string {
  if (s.browser && s.os) return `${s.browser} on ${s.os}`;
  return s.browser || s.os || (s.userAgent ? "Unknown browser" : "No browser name sent");
}

/** Every browser signed in as this admin, with a way to sign any other one out. */
export function SessionsSection() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const toast = useToast();
  const once = useSingleFlight();
  const [confirmingOthers, setConfirmingOthers] = useState(false);
  const others = useRevokeOthersDialog(() => setConfirmingOthers(false));
  // "Now" is when the list was fetched: the relative times agree with the data they describe.
  const now = sessions.dataUpdatedAt;

  const list = sessions.data ?? [];
  const otherCount = list.filter((s) => !s.current).length;

  function signOut(s: SessionView) {
    void once(async () => {
      await revoke.mutateAsync(s.id);
      toast.success(`Signed out ${deviceName(s)} (${s.ip || "unknown address"}).`);
    });
  }

  return (
    <SectionCard
      headingId="sessions-heading"
      title="Active sessions"
      description="Browsers signed in as you. Signing one out takes effect on its next click, on every panel instance. API tokens are not sessions: they keep working."
      actions={
        <Button onClick={() => setConfirmingOthers(true)} disabled={otherCount === 0 || others.pending}>
          Sign out all other sessions
        </Button>
      }
    >
      {sessions.isError && sessions.data && (
        <StaleBanner what="the sessions" reason={explain(sessions.error, "load the sessions")} since={sessions.dataUpdatedAt} retrying={sessions.isFetching} onRetry={() => sessions.refetch()} />
      )}
      {revoke.isError && (
        <div className="px-5 pt-4">
          <ErrorNote>{explain(revoke.error, "sign that session out")}</ErrorNote>
        </div>
      )}
      {!sessions.data ? (
        sessions.isError ? (
          <LoadError what="the sessions" reason={explain(sessions.error, "load the sessions")} onRetry={() => sessions.refetch()} retrying={sessions.isFetching} />
        ) : (
          <LoadingRows label="Loading the sessions" rows={2} />
        )
      ) : (
        <table className="block w-full text-sm md:table">
          <caption className="sr-only">Signed-in sessions, most recently active first</caption>
          <TableHead columns={["Browser", "Address", "Signed in", "Last active", ""]} />
          <tbody className="block md:table-row-group">
            {list.map((s) => (
              <tr key={s.id} className="block border-b border-zinc-200 py-3 last:border-b-0 md:table-row md:py-0 dark:border-zinc-800">
                <td className={`${CELL} font-medium`}>
                  <span className={MOBILE_LABEL}>Browser</span>
                  <span className="min-w-0">
                    <span title={s.userAgent || undefined}>{deviceName(s)}</span>
                    {s.current && (
                      <span className="ml-2 inline-flex rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                        This browser
                      </span>
                    )}
                  </span>
                </td>
                <td className={`${CELL} font-mono text-xs text-zinc-700 dark:text-zinc-300`}>
                  <span className={`${MOBILE_LABEL} font-sans`}>Address</span>
                  {s.ip || "unknown"}
                </td>
                <td className={`${CELL} whitespace-nowrap text-zinc-700 dark:text-zinc-300`}>
                  <span className={MOBILE_LABEL}>Signed in</span>
                  <RelativeTime ms={s.createdAt} now={now} />
                </td>
                <td className={`${CELL} whitespace-nowrap text-zinc-700 dark:text-zinc-300`}>
                  <span className={MOBILE_LABEL}>Last active</span>
                  {s.current ? "Now" : <RelativeTime ms={s.lastSeenAt} now={now} />}
                </td>
                <td className={`${CELL} md:text-right`}>
                  {!s.current && (
                    <Button size="sm" onClick={() => signOut(s)} disabled={revoke.isPending}>
                      Sign out<span className="sr-only"> {deviceName(s)} from {s.ip || "an unknown address"}</span>
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={confirmingOthers}
        onCancel={others.cancel}
        onConfirm={others.confirm}
        title="Sign out all other sessions?"
        description={`${otherCount} other browser${otherCount === 1 ? " is" : "s are"} signed in as you. They will have to sign in again; this browser stays signed in.`}
        confirmLabel="Sign them out"
        pendingLabel="Signing out…"
        pending={others.pending}
        error={others.error ? explain(others.error, "sign the other sessions out") : undefined}
      />
    </SectionCard>
  );
}
