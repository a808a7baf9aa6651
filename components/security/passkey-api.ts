"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { callApi } from "@/lib/client/fetch";
import { addPasskey } from "@/lib/client/passkeys";
import { useSession } from "@/components/session-provider";

/** The list's view of a passkey (lib/passkeys/schemas.ts `passkeyView`). */
export interface PasskeyView {
  id: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  transports: string[];
}

const BASE = "/panel/api/setting/passkeys";

export const passkeyKeys = { all: ["passkeys"] as const };

export function usePasskeys() {
  return useQuery({
    queryKey: passkeyKeys.all,
    queryFn: ({ signal }) => callApi<PasskeyView[]>(BASE, { signal }),
  });
}

/** Options, the browser's prompt, then the registration: one mutation, so the dialog shows one state. */
export function useAddPasskey() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => addPasskey<PasskeyView>(name, csrfToken),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.all }),
  });
}

export function useRenamePasskey() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: number; name: string }) => callApi<PasskeyView>(`${BASE}/update/${id}`, { method: "POST", body: { name }, csrfToken }),
    onSuccess: (updated) => queryClient.setQueryData<PasskeyView[]>(passkeyKeys.all, (list) => list?.map((p) => (p.id === updated.id ? updated : p))),
    onSettled: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.all }),
  });
}

export function useRemovePasskey() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: number; name: string }) => callApi(`${BASE}/delete/${id}`, { method: "POST", body: {}, csrfToken }),
    onSuccess: (_data, { id }) => queryClient.setQueryData<PasskeyView[]>(passkeyKeys.all, (list) => list?.filter((p) => p.id !== id)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.all }),
  });
}
