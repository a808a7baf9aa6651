import { TOKEN_SCOPES, type TokenScope } from "@/db/schema/constants";
import {
  TOKEN_LIST_Q_MAX_CHARS,
  TOKEN_SORT_DEFAULT,
  TOKEN_SORTS,
  TOKEN_STATUSES,
  type TokenSort,
  type TokenStatus,
} from "@/lib/tokens/list-options";

/**
 * The token list's state as it lives in the URL:
 * `?q=&status=&scope=&sort=&limit=&cursor=` (plus `start`, the position shown
 * as "21–40 of 93"). Defaults stay out of the URL, so a plain link is the first page.
 */
export { TOKEN_STATUSES, type TokenSort, type TokenStatus };

export const PAGE_SIZES = [20, 50, 100] as const;
export const Q_MAX = TOKEN_LIST_Q_MAX_CHARS;

export interface TokenListParams {
  q: string;
  status?: TokenStatus;
  scope?: TokenScope;
  sort: TokenSort;
  limit: number;
  cursor?: string;
  /** 1-based index of the page's first row, for display only. */
  start: number;
}

export const DEFAULT_LIST: TokenListParams = { q: "", sort: TOKEN_SORT_DEFAULT, limit: PAGE_SIZES[0], start: 1 };

const isOneOf = <T extends string>(list: readonly T[], value: string | null): value is T =>
  value !== null && (list as readonly string[]).includes(value);

function isSort(value: string | null): value is TokenSort {
  return value !== null && isOneOf(TOKEN_SORTS, value.replace(/^-/, ""));
}

/** Reads the list state from the page's query; anything unknown falls back to the default. */
export function readListParams(search: URLSearchParams): TokenListParams {
  const status = search.get("status");
  const scope = search.get("scope");
  const sort = search.get("sort");
  const limit = Number(search.get("limit"));
  const start = Number(search.get("start"));
  const cursor = search.get("cursor") || undefined;
  return {
    q: (search.get("q") ?? "").slice(0, Q_MAX),
    status: isOneOf(TOKEN_STATUSES, status) ? status : undefined,
    scope: isOneOf(TOKEN_SCOPES, scope) ? scope : undefined,
    sort: isSort(sort) ? sort : DEFAULT_LIST.sort,
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_LIST.limit,
    cursor,
    start: cursor && Number.isSafeInteger(start) && start > 0 ? start : 1,
  };
}

/** Writes the list state into `search` (other parameters, like `tab`, are kept). */
export function writeListParams(params: TokenListParams, search: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(search);
  for (const key of ["q", "status", "scope", "sort", "limit", "cursor", "start"]) out.delete(key);
  if (params.q.trim()) out.set("q", params.q);
  if (params.status) out.set("status", params.status);
  if (params.scope) out.set("scope", params.scope);
  if (params.sort !== DEFAULT_LIST.sort) out.set("sort", params.sort);
  if (params.limit !== DEFAULT_LIST.limit) out.set("limit", String(params.limit));
  if (params.cursor) {
    out.set("cursor", params.cursor);
    out.set("start", String(params.start));
  }
  return out;
}

export const isFiltered = (p: TokenListParams) => Boolean(p.q.trim() || p.status || p.scope);
