"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { readListParams, writeListParams, type TokenListParams } from "./token-list-params";

/**
 * The token list's filters, sort, page size and page, read from and written to
 * the URL. Filter changes push a history entry (Back undoes them); typing in
 * the search box replaces the current one. Any change but paging goes back to the first page.
 */
export function useTokenListParams() {
  const search = useSearchParams();
  const key = search.toString();
  const params = useMemo(() => readListParams(new URLSearchParams(key)), [key]);

  const update = useCallback(
    (next: Partial<TokenListParams>, { replace = false }: { replace?: boolean } = {}) => {
      const paging = "cursor" in next;
      const merged: TokenListParams = { ...params, ...(paging ? {} : { cursor: undefined, start: 1 }), ...next };
      const query = writeListParams(merged, new URLSearchParams(window.location.search)).toString();
      const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
      // Next.js keeps useSearchParams in step with the native History API.
      if (replace) window.history.replaceState(null, "", url);
      else window.history.pushState(null, "", url);
    },
    [params],
  );

  return { params, update };
}
