"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSession } from "@/components/session-provider";
import type { SessionView } from "@/lib/auth/active-sessions";
import { callApi } from "@/lib/client/fetch";

export type { SessionView };

const BASE = "/panel/api/setting/sessions";
export const sessionKeys = { all: ["sessions"] as const };

export function useSessions() {
  return useQuery({
    queryKey: sessionKeys.all,
    queryFn: ({ signal }) => callApi<SessionView[]>(BASE, { signal }),
    // "Last seen" moves by the minute.
    refetchInterval: 60_000,
  });
}

function useSessionChange<V, R>(send: (csrfToken: string, variables: V) => Promise<R>) {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => send(csrfToken, variables),
    onSettled: () => queryClient.invalidateQueries({ queryKey: sessionKeys.all }),
  });
}

export function useRevokeSession() {
  return useSessionChange((csrfToken, id: string) => callApi<null>(`${BASE}/revoke/${encodeURIComponent(id)}`, { method: "POST", csrfToken }));
}

export function useRevokeOtherSessions() {
  return useSessionChange((csrfToken, _: void) => callApi<{ revoked: number }>(`${BASE}/revokeOthers`, { method: "POST", csrfToken }));
}
