"use client";

import type { RefObject } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog } from "@/components/ui/dialog";
import { NO_POLICY } from "@/lib/tokens/policy-rules";
import { CreateTokenForm } from "./create-token-form";
import { useTokenPolicy } from "./policy-api";
import { TokenSecretDialog } from "./token-secret-dialog";
import { useCreateTokenDialog } from "./use-create-token-dialog";

/** "New token": the form, the confirmation an admin-scope token asks for, and the one-time secret. */
export function CreateTokenFlow({ buttonRef }: { buttonRef: RefObject<HTMLButtonElement | null> }) {
  const flow = useCreateTokenDialog();
  // Loaded with the section, so the form opens with the policy's default expiry and limits.
  const policy = useTokenPolicy().data ?? NO_POLICY;
  return (
    <>
      <Button ref={buttonRef} variant="primary" onClick={flow.open} className="self-start md:self-center">
        <span aria-hidden="true">+</span> New token
      </Button>

      <Dialog
        open={flow.formOpen}
        onRequestClose={flow.close}
        title="New API token"
        description="Give it a name that says who uses it, the narrowest scope that works, and an expiry."
      >
        <CreateTokenForm key={policy.updatedAt} policy={policy} pending={flow.pending} serverError={flow.error} onCancel={flow.close} onSubmit={flow.submit} />
      </Dialog>

      <ConfirmDialog
        open={flow.pendingAdmin !== null}
        onCancel={flow.cancelAdmin}
        onConfirm={flow.confirmAdmin}
        title="Create an admin token?"
        description={
          <>
            <strong className="font-semibold text-zinc-900 dark:text-zinc-100">{flow.pendingAdmin?.name}</strong> will have
            full access: every API route, including making and deleting tokens and changing the admin password. If a bot
            only reads status, a <em>monitor</em> token is enough.
          </>
        }
        confirmLabel="Create admin token"
        pendingLabel="Creating…"
        cancelLabel="Go back"
        pending={flow.pending}
        tone="primary"
      />

      <TokenSecretDialog key={flow.created?.id} created={flow.created} onClose={flow.dismissSecret} returnFocus={buttonRef} />
    </>
  );
}
