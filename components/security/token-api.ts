"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import type { AuditAction, TokenScope } from "@/db/schema/constants";
import type { TokenPermissions } from "@/lib/api/catalog";
import type { AuditLogPage } from "@/lib/audit/query";
import { callApi } from "@/lib/client/fetch";
import type { CreatedToken, TokenView } from "@/lib/tokens/schemas";
import type { TokenUsageReport } from "@/lib/tokens/usage-schemas";
import { useSession } from "@/components/session-provider";
import type { TokenListParams } from "./token-list-params";

export type { TokenView };

export interface TokenPage {
  items: TokenView[];
  total: number;
  nextCursor: string | null;
  prevCursor: string | null;
}

const BASE = "/panel/api/setting/apiTokens";

/** Query keys, in one place. */
export const tokenKeys = {
  all: ["tokens"] as const,
  lists: () => [...tokenKeys.all, "list"] as const,
  list: (params: TokenListParams) => [...tokenKeys.lists(), params] as const,
  permissions: (id: number) => [...tokenKeys.all, "permissions", id] as const,
  usage: (id: number) => [...tokenKeys.all, "usage", id] as const,
};

export const auditKeys = {
  all: ["audit"] as const,
  list: (filters: AuditFilters) => [...auditKeys.all, "list", filters] as const,
};

export function listQueryString(params: TokenListParams): string {
  const search = new URLSearchParams();
  search.set("limit", String(params.limit));
  if (params.q) search.set("q", params.q);
  if (params.status) search.set("status", params.status);
  if (params.scope) search.set("scope", params.scope);
  search.set("sort", params.sort);
  if (params.cursor) search.set("cursor", params.cursor);
  return search.toString();
}

/** One page of tokens, filtered, sorted and paged by the server. */
export function useTokenPage(params: TokenListParams) {
  return useQuery({
    queryKey: tokenKeys.list(params),
    queryFn: ({ signal }) =>
      callApi<TokenPage>(`${BASE}?${listQueryString(params)}`, { signal }),
    // Paging and filtering keep the rows on screen until the next page arrives.
    placeholderData: keepPreviousData,
  });
}

type PageUpdater = (items: TokenView[]) => TokenView[];

/** Applies a change to every cached page of the list; returns the snapshot to roll back to. */
function updatePages(queryClient: QueryClient, update: PageUpdater, removed = 0) {
  const snapshot = queryClient.getQueriesData<TokenPage>({ queryKey: tokenKeys.lists() });
  queryClient.setQueriesData<TokenPage>({ queryKey: tokenKeys.lists() }, (page) =>
    page ? { ...page, items: update(page.items), total: Math.max(0, page.total - removed) } : page,
  );
  return snapshot;
}

function restore(queryClient: QueryClient, snapshot: ReturnType<typeof updatePages>) {
  for (const [key, data] of snapshot) queryClient.setQueryData(key, data);
}

export interface CreateTokenVariables {
  name: string;
  scope: TokenScope;
  expiresAt: number;
  allowedIps: string[];
  description: string;
  rateLimitPerMinute: number;
  canary: boolean;
}

/**
 * The plaintext exists only in this mutation's result: never in the query
 * cache (the list is refetched), and `gcTime: 0` drops it once the dialog resets.
 */
export function useCreateToken() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (vars: CreateTokenVariables) => callApi<CreatedToken>(`${BASE}/create`, { method: "POST", body: vars, csrfToken }),
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokenKeys.lists() }),
  });
}

/**
 * Optimistic: the switch flips at once and back if the server refuses. Toggles
 * of one token share a mutation scope, so they reach the server in order.
 */
export function useSetTokenEnabled(tokenId: number) {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    scope: { id: `token-enabled-${tokenId}` },
    mutationFn: (enabled: boolean) => callApi(`${BASE}/setEnabled/${tokenId}`, { method: "POST", body: { enabled }, csrfToken }),
    onMutate: async (enabled) => {
      await queryClient.cancelQueries({ queryKey: tokenKeys.lists() });
      return { snapshot: updatePages(queryClient, (items) => items.map((t) => (t.id === tokenId ? { ...t, enabled } : t))) };
    },
    onError: (_error, _enabled, context) => context && restore(queryClient, context.snapshot),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.lists() }),
  });
}

export function useDeleteToken() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: number; name: string }) => callApi(`${BASE}/delete/${id}`, { method: "POST", body: {}, csrfToken }),
    onSuccess: (_data, { id }) => {
      updatePages(queryClient, (items) => items.filter((t) => t.id !== id), 1);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export interface UpdateTokenVariables {
  id: number;
  name?: string;
  description?: string;
  expiresAt?: number;
  allowedIps?: string[];
  rateLimitPerMinute?: number;
  scope?: TokenScope;
}

export function useUpdateToken() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: UpdateTokenVariables) =>
      callApi<TokenView>(`${BASE}/update/${id}`, { method: "POST", body: changes, csrfToken }),
    onSuccess: (updated) => {
      updatePages(queryClient, (items) => items.map((t) => (t.id === updated.id ? updated : t)));
    },
    // A scope change also changes what the token may do and its usage report.
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

/** The token's calls of the last 30 days and the narrowest scope that covers them. */
export function useTokenUsage(tokenId: number) {
  return useQuery({
    queryKey: tokenKeys.usage(tokenId),
    queryFn: ({ signal }) => callApi<TokenUsageReport>(`${BASE}/${tokenId}/usage`, { signal }),
  });
}

export interface RotateTokenVariables {
  id: number;
  graceSeconds: number;
  /** Required by the server for an expired token: the new secret's expiry. */
  expiresAt?: number;
}

/** Like create: the new plaintext lives only in this mutation's result. */
export function useRotateToken() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: RotateTokenVariables) =>
      callApi<CreatedToken>(`${BASE}/rotate/${id}`, { method: "POST", body, csrfToken }),
    gcTime: 0,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokenKeys.lists() }),
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

export interface UpdateCredentialsVariables {
  oldUsername: string;
  oldPassword: string;
  newUsername: string;
  newPassword: string;
}

export function useUpdateCredentials() {
  const { csrfToken } = useSession();
  return useMutation({
    mutationFn: (vars: UpdateCredentialsVariables) =>
      callApi("/panel/api/setting/updateUser", { method: "POST", body: vars, csrfToken }),
    // The passwords are in the variables; do not keep them around.
    gcTime: 0,
  });
}

export interface AuditFilters {
  action?: AuditAction;
  /** Case-insensitive part of the target's name (deleted tokens included). */
  target?: string;
  /** Unix ms, inclusive. */
  from?: number;
  /** Unix ms, exclusive. */
  to?: number;
}

export function auditQueryString(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra);
  if (filters.action) params.set("action", filters.action);
  if (filters.target) params.set("target", filters.target);
  if (filters.from !== undefined) params.set("from", String(filters.from));
  if (filters.to !== undefined) params.set("to", String(filters.to));
  return params.toString();
}

/** Newest first, 50 at a time; `fetchNextPage()` loads older events. */
export function useAuditLog(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filters),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam, signal }) => {
      const extra: Record<string, string> = { limit: "50" };
      if (pageParam !== undefined) extra.before = String(pageParam);
      return callApi<AuditLogPage>(`/panel/api/setting/auditLog?${auditQueryString(filters, extra)}`, { signal });
    },
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    placeholderData: keepPreviousData,
  });
}
