"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TokenPermissions } from "@/lib/api/catalog";
import type { AuditAction, TokenScope } from "@/db/schema/constants";
import type { AuditLogPage } from "@/lib/audit/query";
import type { CreatedToken, TokenView } from "@/lib/tokens/schemas";
import { callApi } from "./fetch";

/** Query keys for tokens, in one place (no string keys repeated across files). */
export const tokenKeys = {
  all: ["tokens"] as const,
  list: () => [...tokenKeys.all, "list"] as const,
  permissions: (id: number) => [...tokenKeys.all, "permissions", id] as const,
};

/** Query keys for the audit log. */
export const auditKeys = {
  all: ["audit"] as const,
  list: (filters: AuditFilters) => [...auditKeys.all, "list", filters] as const,
};

const BASE = "/panel/api/setting/apiTokens";

export function useTokens() {
  return useQuery({
    queryKey: tokenKeys.list(),
    queryFn: ({ signal }) => callApi<TokenView[]>(BASE, { signal }),
  });
}

export interface CreateTokenVariables {
  name: string;
  scope: TokenScope;
  expiresAt: number;
}

/**
 * The plaintext exists only in this mutation's result. It is never written to
 * the query cache (the list is refetched instead), and `gcTime: 0` drops the
 * mutation from TanStack's mutation cache as soon as the dialog calls reset().
 */
export function useCreateToken(csrfToken: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (vars: CreateTokenVariables) =>
      callApi<CreatedToken>(`${BASE}/create`, { method: "POST", body: vars, csrfToken }),
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokenKeys.list() }),
  });
}

/**
 * Optimistic: the switch flips at once and flips back if the server refuses.
 * Toggles of one token share a mutation scope, so they reach the server one
 * after the other and the last click is the state that sticks.
 */
export function useSetTokenEnabled(tokenId: number, csrfToken: string) {
  const queryClient = useQueryClient();
  return useMutation({
    scope: { id: `token-enabled-${tokenId}` },
    mutationFn: (enabled: boolean) =>
      callApi(`${BASE}/setEnabled/${tokenId}`, { method: "POST", body: { enabled }, csrfToken }),
    onMutate: async (enabled) => {
      await queryClient.cancelQueries({ queryKey: tokenKeys.list() });
      const previous = queryClient.getQueryData<TokenView[]>(tokenKeys.list());
      queryClient.setQueryData<TokenView[]>(tokenKeys.list(), (old) =>
        old?.map((t) => (t.id === tokenId ? { ...t, enabled } : t)),
      );
      return { previous };
    },
    onError: (_error, _enabled, context) => {
      if (context?.previous) queryClient.setQueryData(tokenKeys.list(), context.previous);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.list() }),
  });
}

export function useDeleteToken(csrfToken: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: number }) =>
      callApi(`${BASE}/delete/${id}`, { method: "POST", body: {}, csrfToken }),
    onSuccess: (_data, { id }) => {
      queryClient.setQueryData<TokenView[]>(tokenKeys.list(), (old) => old?.filter((t) => t.id !== id));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.list() }),
  });
}

export interface UpdateCredentialsVariables {
  oldUsername: string;
  oldPassword: string;
  newUsername: string;
  newPassword: string;
}

export function useUpdateCredentials(csrfToken: string) {
  return useMutation({
    mutationFn: (vars: UpdateCredentialsVariables) =>
      callApi("/panel/api/setting/updateUser", { method: "POST", body: vars, csrfToken }),
    // The passwords are in the variables; do not keep them around.
    gcTime: 0,
  });
}

export interface UpdateTokenVariables {
  id: number;
  name?: string;
  expiresAt?: number;
  allowedIps?: string[];
}

export function useUpdateToken(csrfToken: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: UpdateTokenVariables) =>
      callApi<TokenView>(`${BASE}/update/${id}`, { method: "POST", body: changes, csrfToken }),
    onSuccess: (updated) =>
      queryClient.setQueryData<TokenView[]>(tokenKeys.list(), (old) => old?.map((t) => (t.id === updated.id ? updated : t))),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

/** Like create: the new plaintext lives only in this mutation's result (gcTime 0, reset on close). */
export function useRotateToken(csrfToken: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, graceSeconds }: { id: number; graceSeconds: number }) =>
      callApi<CreatedToken>(`${BASE}/rotate/${id}`, { method: "POST", body: { graceSeconds }, csrfToken }),
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokenKeys.list() }),
  });
}

export function useTokenPermissions(tokenId: number, enabled: boolean) {
  return useQuery({
    queryKey: tokenKeys.permissions(tokenId),
    queryFn: ({ signal }) => callApi<TokenPermissions>(`${BASE}/${tokenId}/permissions`, { signal }),
    enabled,
    staleTime: 60_000,
  });
}

export interface AuditFilters {
  action?: AuditAction;
  tokenId?: number;
}

/** Newest first, 50 at a time; `fetchNextPage()` loads older events. */
export function useAuditLog(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filters),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: "50" });
      if (pageParam !== undefined) params.set("before", String(pageParam));
      if (filters.action) params.set("action", filters.action);
      if (filters.tokenId !== undefined) params.set("tokenId", String(filters.tokenId));
      return callApi<AuditLogPage>(`/panel/api/setting/auditLog?${params}`, { signal });
    },
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}
