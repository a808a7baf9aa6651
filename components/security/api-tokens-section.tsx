"use client";

import { useRef, useState } from "react";
import { SectionCard } from "@/components/ui/section-card";
import { LoadError, LoadingRows, StaleBanner } from "@/components/ui/load-states";
import { Button } from "@/components/ui/button";
import { CreateTokenFlow } from "./create-token-flow";
import { DeleteTokenDialog } from "./delete-token-dialog";
import { explain } from "./messages";
import { TokenDetailsDialog } from "./token-details-dialog";
import { useTokenPage, type TokenView } from "./token-api";
import { isFiltered } from "./token-list-params";
import { TokenListToolbar } from "./token-list-toolbar";
import { TokenTable } from "./token-table";
import { useTokenListParams } from "./use-token-list-params";

function NoTokensYet() {
  return (
    <div className="flex flex-col items-center px-5 py-12 text-center">
      <div
        aria-hidden="true"
        className="mb-3 flex h-10 w-10 items-center justify-center rounded-full bg-indigo-50 text-indigo-600 dark:bg-indigo-500/10 dark:text-indigo-300"
      >
        <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" className="h-5 w-5">
          <circle cx="8" cy="15" r="4" />
          <path d="m10.85 12.15 8.15-8.15M18 5l2 2M15 8l2 2" strokeLinecap="round" />
        </svg>
      </div>
      <p className="font-medium">No API tokens yet</p>
      <p className="mt-1 max-w-sm text-sm text-zinc-600 dark:text-zinc-400">
        Use <strong className="font-medium text-zinc-900 dark:text-zinc-100">New token</strong> to make one for each bot or
        panel that talks to this one, so you can revoke them one at a time.
      </p>
    </div>
  );
}

/** Settings → Security → API tokens: the list (state in the URL) and the dialogs that change it. */
export function ApiTokensSection() {
  const { params, update } = useTokenListParams();
  const tokens = useTokenPage(params);
  const [toDelete, setToDelete] = useState<TokenView | null>(null);
  const [managing, setManaging] = useState<TokenView | null>(null);
  const newTokenButton = useRef<HTMLButtonElement>(null);
  // The open Manage dialog follows the list, so an edit or a refetch shows at once.
  const managed = managing ? (tokens.data?.items.find((t) => t.id === managing.id) ?? managing) : null;
  const filtered = isFiltered(params);

  return (
    <SectionCard
      headingId="api-tokens-heading"
      title="API tokens"
      description={
        <>
          Bots and other panels call <code className="font-mono text-[0.8125rem]">/panel/api/*</code> with{" "}
          <code className="font-mono text-[0.8125rem]">Authorization: Bearer &lt;token&gt;</code>. Switch a token off to pause
          it, delete it to revoke it for good.
        </>
      }
      actions={<CreateTokenFlow buttonRef={newTokenButton} />}
    >
      {/* Always mounted, so what is typed in the search box survives whatever the list below does. */}
      {!(tokens.data && tokens.data.total === 0 && !filtered && !params.cursor) && <TokenListToolbar params={params} onChange={update} />}
      {tokens.data && tokens.isError && (
        <StaleBanner
          what="the tokens"
          reason={explain(tokens.error, "load the tokens")}
          since={tokens.dataUpdatedAt}
          retrying={tokens.isFetching}
          onRetry={() => tokens.refetch()}
        />
      )}
      {tokens.data ? (
        tokens.data.items.length > 0 ? (
          <TokenTable
            page={tokens.data}
            params={params}
            loading={tokens.isPlaceholderData}
            onPage={(cursor, start) => update({ cursor, start })}
            onManage={setManaging}
            onDelete={setToDelete}
          />
        ) : filtered || params.cursor ? (
          <div className="px-5 py-10 text-center text-sm text-zinc-600 dark:text-zinc-400">
            <p>{params.cursor && !filtered ? "This page is empty: the tokens on it were deleted." : "No token matches these filters."}</p>
            <Button size="sm" className="mt-3" onClick={() => update({ q: "", status: undefined, scope: undefined })}>
              {filtered ? "Clear filters" : "First page"}
            </Button>
          </div>
        ) : (
          <NoTokensYet />
        )
      ) : tokens.isError ? (
        <LoadError
          what="the tokens"
          reason={explain(tokens.error, "load the tokens")}
          // A cursor from an old link cannot be retried: start again from the first page.
          onRetry={() => (params.cursor && /cursor/.test(tokens.error.message) ? update({ cursor: undefined, start: 1 }) : tokens.refetch())}
          retrying={tokens.isFetching}
        />
      ) : (
        <LoadingRows label="Loading tokens" />
      )}

      <TokenDetailsDialog token={managed} onClose={() => setManaging(null)} returnFocus={newTokenButton} />
      <DeleteTokenDialog token={toDelete} onClose={() => setToDelete(null)} returnFocus={newTokenButton} />
    </SectionCard>
  );
}
