"use client";

import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useSession } from "@/components/session-provider";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { callApi } from "@/lib/client/fetch";
import { passkeyAssertion } from "@/lib/client/passkeys";

export type ReauthMethod = "password" | "code";

/** The "confirm it's you" dialog: one request however often Confirm is clicked; `onDone(true)` once confirmed. */
export function useReauthDialog(onDone: (confirmed: boolean) => void) {
  const { csrfToken } = useSession();
  const [method, setMethod] = useState<ReauthMethod>("password");
  const once = useSingleFlight();
  const confirm = useMutation({
    mutationFn: async (body: { password: string } | { twoFactorCode: string } | "passkey") =>
      callApi<null>("/panel/api/setting/reauth", {
        method: "POST",
        body: body === "passkey" ? { passkey: await passkeyAssertion("/panel/api/setting/passkeys/reauthOptions", csrfToken, "confirm") } : body,
        csrfToken,
      }),
  });
  const finish = async (body: Parameters<typeof confirm.mutateAsync>[0]) => {
    await confirm.mutateAsync(body);
    confirm.reset();
    setMethod("password");
    onDone(true);
  };
  return {
    method,
    pending: confirm.isPending,
    error: confirm.error,
    switchTo(next: ReauthMethod) {
      confirm.reset();
      setMethod(next);
    },
    submit(value: string) {
      void once(() => finish(method === "password" ? { password: value } : { twoFactorCode: value.replace(/\s+/g, "") }));
    },
    withPasskey() {
      void once(() => finish("passkey"));
    },
    cancel() {
      if (confirm.isPending) return;
      confirm.reset();
      setMethod("password");
      onDone(false);
    },
  };
}
