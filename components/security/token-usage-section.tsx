"use client";

import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/error-note";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { explain } from "./messages";
import { useTokenUsage, useUpdateToken, type TokenView } from "./token-api";

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/**
 * Manage → Usage: the routes this token called in the last 30 days against what
 * its scope allows, and the narrowest scope that would still do, applied in
 * one click (an audited scope edit).
 */
export function TokenUsageSection({ token }: { token: TokenView }) {
  const usage = useTokenUsage(token.id);
  const narrow = useUpdateToken();
  const once = useSingleFlight();
  const report = usage.data;
  const suggestion = report?.narrowestScope && report.narrowestScope !== token.scope ? report.narrowestScope : null;

  function apply(scope: NonNullable<typeof suggestion>) {
    void once(() => narrow.mutateAsync({ id: token.id, scope }));
  }

  return (
    <section aria-labelledby={`usage-${token.id}`} className="space-y-3 border-t border-zinc-200 pt-5 dark:border-zinc-800">
      <h3 id={`usage-${token.id}`} className="text-sm font-semibold">
        Usage
      </h3>
      {usage.isPending ? (
        <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
          Loading what this token called…
        </p>
      ) : usage.isError ? (
        <ErrorNote>{explain(usage.error, "load this token’s usage")}</ErrorNote>
      ) : report!.usedRoutes === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          No calls in the last {report!.days} days.{token.canary ? " A canary is never accepted, so it has none." : " If nothing uses it, switch it off or delete it."}
        </p>
      ) : (
        <>
          <p className="text-sm">
            Used {report!.usedRoutes} of {plural(report!.allowedRoutes, "route")} its scope allows in the last {report!.days} days.
          </p>
          <ul aria-label="Routes called" className="space-y-1 text-xs">
            {report!.routes.map((r) => (
              <li key={`${r.method} ${r.path}`} className="flex flex-wrap items-baseline gap-x-2">
                <span className="w-10 shrink-0 font-mono font-semibold">{r.method}</span>
                <span className="min-w-0 font-mono break-all">{r.path}</span>
                <span className="text-zinc-600 dark:text-zinc-400">
                  {plural(r.calls, "call")}, last on {r.lastUsed}
                  {r.allowed ? "" : " (no longer allowed)"}
                </span>
              </li>
            ))}
          </ul>
          {narrow.isSuccess ? (
            <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
              Scope changed to {narrow.data.scope}: it may call only what that scope allows from now on.
            </p>
          ) : suggestion ? (
            <div className="flex flex-col gap-2 rounded-lg bg-indigo-50 px-3 py-2.5 text-sm sm:flex-row sm:items-center sm:justify-between dark:bg-indigo-950/40">
              <p>
                A <strong className="font-semibold">{suggestion}</strong> token would still allow everything it called, with fewer routes open.
              </p>
              <Button size="sm" onClick={() => apply(suggestion)} disabled={narrow.isPending}>
                {narrow.isPending ? "Switching…" : `Switch to ${suggestion}`}
              </Button>
            </div>
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Its scope, {token.scope}, is already the narrowest that covers this use.</p>
          )}
          {narrow.isError && <ErrorNote>{explain(narrow.error, "change the scope")}</ErrorNote>}
        </>
      )}
    </section>
  );
}
