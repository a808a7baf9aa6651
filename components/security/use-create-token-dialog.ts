"use client";

import { useState } from "react";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useCreateToken, type CreateTokenVariables } from "./token-api";

/**
 * The create flow's state: the form dialog, the admin-scope confirmation and
 * the one-time secret. The plaintext lives only in the mutation's result and is
 * dropped (reset) when the secret dialog closes.
 */
export function useCreateTokenDialog() {
  const create = useCreateToken();
  const once = useSingleFlight();
  const [formOpen, setFormOpen] = useState(false);
  const [pendingAdmin, setPendingAdmin] = useState<CreateTokenVariables | null>(null);

  const send = (values: CreateTokenVariables) =>
    once(async () => {
      try {
        await create.mutateAsync(values);
        setFormOpen(false);
      } finally {
        // A refusal (name taken) is shown in the form, under the field it is about.
        setPendingAdmin(null);
      }
    });

  return {
    formOpen,
    open() {
      create.reset();
      setFormOpen(true);
    },
    close() {
      if (!create.isPending) setFormOpen(false);
    },
    /** Admin tokens are confirmed first; everything else is sent at once. */
    submit(values: CreateTokenVariables) {
      if (values.scope === "admin") setPendingAdmin(values);
      else void send(values);
    },
    pendingAdmin,
    confirmAdmin() {
      if (pendingAdmin) void send(pendingAdmin);
    },
    cancelAdmin() {
      if (!create.isPending) setPendingAdmin(null);
    },
    pending: create.isPending,
    error: create.error,
    created: create.data,
    dismissSecret: () => create.reset(),
  };
}
