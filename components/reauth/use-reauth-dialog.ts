"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useSession } from "@/components/session-provider";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { callApi } from "@/lib/client/fetch";

export type ReauthMethod = "password" | "code";

/** The "confirm it's you" dialog: one request however often Confirm is clicked; `onDone(true)` once confirmed. */
export function useReauthDialog(onDone: (confirmed: boolean) => void) {
  const { csrfToken } = useSession();
  const [method, setMethod] = useState<ReauthMethod>("password");
  const once = useSingleFlight();
  const confirm = useMutation({
    mutationFn: (body: { password: string } | { twoFactorCode: string }) =>
      callApi<null>("/panel/api/setting/reauth", { method: "POST", body, csrfToken }),
  });
  return {
    method,
    pending: confirm.isPending,
    error: confirm.error,
    switchTo(next: ReauthMethod) {
      confirm.reset();
      setMethod(next);
    },
    submit(value: string) {
      void once(async () => {
        await confirm.mutateAsync(method === "password" ? { password: value } : { twoFactorCode: value.replace(/\s+/g, "") });
        confirm.reset();
        setMethod("password");
        onDone(true);
      });
    },
    cancel() {
      if (confirm.isPending) return;
      confirm.reset();
      setMethod("password");
      onDone(false);
    },
  };
}
