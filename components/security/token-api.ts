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
import type { CreatedToken, TokenView as ServerTokenView } from "@/lib/tokens/schemas";
import { useSession } from "@/components/session-provider";
import type { TokenListParams } from "./token-list-params";

/** The token view with the issue-15 fields (older servers may lack them; see `withDefaults`). */
export type TokenView = ServerTokenView & { description: string; expired: boolean };
export type NewToken = CreatedToken & { description: string; expired: boolean };

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
};

export const auditKeys = {
  all: ["audit"] as const,
  list: (filters: AuditFilters) => [...auditKeys.all, "list", filters] as const,
};

function withDefaults<T extends ServerTokenView>(t: T, now = Date.now()): T & { description: string; expired: boolean } {
  const extra = t as T & { description?: string; expired?: boolean };
  return { ...t, description: extra.description ?? "", expired: extra.expired ?? (t.expiresAt !== 0 && t.expiresAt <= now) };
}

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
    queryFn: async ({ signal }): Promise<TokenPage> => {
      const page = await callApi<TokenPage | ServerTokenView[]>(`${BASE}?${listQueryString(params)}`, { signal });
      if (Array.isArray(page)) return pageOfArray(page.map((t) => withDefaults(t)), params);
      return { ...page, items: page.items.map((t) => withDefaults(t)) };
    },
    // Paging and filtering keep the rows on screen until the next page arrives.
    placeholderData: keepPreviousData,
  });
}

/**
 * A server without list parameters answers with every token: page it here the
 * way the server would (cursor = offset). Goes once the server pages.
 */
function pageOfArray(all: TokenView[], p: TokenListParams, now = Date.now()): TokenPage {
  const q = p.q.trim().toLowerCase();
  const matches = all.filter(
    (t) =>
      (!q || t.name.toLowerCase().includes(q) || (q.startsWith("xui_") ? t.prefix.toLowerCase().startsWith(q) : false)) &&
      (!p.scope || t.scope === p.scope) &&
      (!p.status ||
        (p.status === "enabled" && t.enabled && !t.expired) ||
        (p.status === "disabled" && !t.enabled) ||
        (p.status === "expired" && t.expired) ||
        (p.status === "expiring" && t.enabled && !t.expired && t.expiresAt - now <= 7 * 86_400_000 && t.expiresAt !== 0)),
  );
  const desc = p.sort.startsWith("-");
  const field = p.sort.replace(/^-/, "");
  const key = (t: TokenView): number | string =>
    field === "name" ? t.name : field === "lastUsed" ? t.lastUsedAt : field === "expiry" ? (t.expiresAt === 0 ? Infinity : t.expiresAt) : t.createdAt;
  matches.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    const c = ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
    return desc ? -c : c;
  });
  const offset = Number(p.cursor ?? 0) || 0;
  const items = matches.slice(offset, offset + p.limit);
  return {
    items,
    total: matches.length,
    nextCursor: offset + p.limit < matches.length ? String(offset + p.limit) : null,
    prevCursor: offset > 0 ? String(Math.max(0, offset - p.limit)) : null,
  };
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
}

/**
 * The plaintext exists only in this mutation's result: never in the query
 * cache (the list is refetched), and `gcTime: 0` drops it once the dialog resets.
 */
export function useCreateToken() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (vars: CreateTokenVariables) =>
      withDefaults(await callApi<CreatedToken>(`${BASE}/create`, { method: "POST", body: vars, csrfToken })),
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
}

export function useUpdateToken() {
  const { csrfToken } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, ...changes }: UpdateTokenVariables) =>
      withDefaults(await callApi<ServerTokenView>(`${BASE}/update/${id}`, { method: "POST", body: changes, csrfToken })),
    onSuccess: (updated) => {
      updatePages(queryClient, (items) => items.map((t) => (t.id === updated.id ? updated : t)));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.lists() }),
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
    mutationFn: async ({ id, ...body }: RotateTokenVariables) =>
      withDefaults(await callApi<CreatedToken>(`${BASE}/rotate/${id}`, { method: "POST", body, csrfToken })),
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
