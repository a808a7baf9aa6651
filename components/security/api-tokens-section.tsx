"use client";

import { useRef, useState } from "react";
import type { TokenView } from "@/lib/tokens/schemas";
import { useCreateToken, useDeleteToken, useRotateToken, useTokens, useUpdateToken } from "@/lib/client/token-queries";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { SectionCard } from "@/components/ui/section-card";
import { LoadError, LoadingRows } from "@/components/ui/load-states";
import { useToast } from "@/components/ui/toast";
import { useSession } from "@/components/session-provider";
import { CreateTokenForm } from "./create-token-form";
import { DeleteTokenDialog } from "./delete-token-dialog";
import { TokenDetailsDialog } from "./token-details-dialog";
import { TokenSecretDialog } from "./token-secret-dialog";
import { TokenTable } from "./token-table";

/** Settings → Security → API tokens: the container that owns the queries and mutations. */
export function ApiTokensSection() {
  const { csrfToken } = useSession();
  const toast = useToast();
  const tokens = useTokens();
  const create = useCreateToken(csrfToken);
  const remove = useDeleteToken(csrfToken);
  const update = useUpdateToken(csrfToken);
  const rotate = useRotateToken(csrfToken);
  const [creating, setCreating] = useState(false);
  const [toDelete, setToDelete] = useState<TokenView | null>(null);
  const [managingId, setManagingId] = useState<number | null>(null);
  // The open details dialog follows the list, so an edit or a refetch shows at once.
  const managing = managingId === null ? null : (tokens.data?.find((t) => t.id === managingId) ?? null);
  const [now] = useState(() => Date.now());
  const closeManage = () => {
    update.reset();
    setManagingId(null);
  };
  const newTokenButton = useRef<HTMLButtonElement>(null);

  const openCreate = () => {
    create.reset();
    setCreating(true);
  };

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
      actions={
        <Button ref={newTokenButton} variant="primary" onClick={openCreate} className="self-start md:self-center">
          <span aria-hidden="true">+</span> New token
        </Button>
      }
    >
      {tokens.isPending ? (
        <LoadingRows label="Loading tokens" />
      ) : tokens.isError ? (
        <LoadError what="the tokens" reason={tokens.error.message} onRetry={() => tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
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
            Use <strong className="font-medium text-zinc-900 dark:text-zinc-100">New token</strong> to make one for each bot
            or panel that talks to this one, so you can revoke them one at a time.
          </p>
        </div>
      ) : (
        <TokenTable
          tokens={tokens.data}
          csrfToken={csrfToken}
          onManage={(t) => {
            update.reset();
            rotate.reset();
            setManagingId(t.id);
          }}
          onDelete={setToDelete}
        />
      )}

      <Dialog
        open={creating}
        onRequestClose={() => !create.isPending && setCreating(false)}
        title="New API token"
        description="Give it a name that says who uses it, the narrowest scope that works, and an expiry."
      >
        <CreateTokenForm
          pending={create.isPending}
          serverError={create.error?.message}
          onCancel={() => setCreating(false)}
          onSubmit={(values) => create.mutate(values, { onSuccess: () => setCreating(false) })}
        />
      </Dialog>

      <TokenSecretDialog
        key={create.data?.id}
        created={create.data}
        onClose={() => create.reset()}
        returnFocus={newTokenButton}
      />
      <TokenSecretDialog
        key={`rotated-${rotate.data?.id}`}
        kind="rotated"
        created={rotate.data}
        onClose={() => rotate.reset()}
        returnFocus={newTokenButton}
      />

      <TokenDetailsDialog
        token={managing}
        now={now}
        onClose={closeManage}
        saving={update.isPending}
        saveError={update.error?.message}
        onSave={(changes) =>
          update.mutate(changes, { onSuccess: (saved) => toast.success(`Token “${saved.name}” saved.`) })
        }
        rotating={rotate.isPending}
        rotateError={rotate.error?.message}
        onRotate={(graceSeconds) =>
          managing && rotate.mutate({ id: managing.id, graceSeconds }, { onSuccess: () => setManagingId(null) })
        }
      />

      <DeleteTokenDialog
        token={toDelete}
        pending={remove.isPending}
        error={remove.error?.message}
        onCancel={() => {
          remove.reset();
          setToDelete(null);
        }}
        onConfirm={() =>
          toDelete &&
          remove.mutate(
            { id: toDelete.id },
            {
              onSuccess: () => {
                toast.success(`Token “${toDelete.name}” deleted. Callers using it are refused from now on.`);
                setToDelete(null);
                remove.reset();
              },
            },
          )
        }
      />
    </SectionCard>
  );
}
