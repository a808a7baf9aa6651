"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ApiError } from "@/lib/client/fetch";

/** A 401 anywhere means the session ended (expired, logged out elsewhere): sign in again, then come back. */
function onApiError(error: Error) {
  if (error instanceof ApiError && error.status === 401) {
    const here = window.location.pathname + window.location.search;
    // A full load: nothing of the ended session stays in memory.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign(`/login?next=${encodeURIComponent(here)}`);
  }
}

export function Providers({ children }: { children: ReactNode }) {
  // One client per browser tab; created in state so a re-render keeps it.
  const [client] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: onApiError }),
        mutationCache: new MutationCache({ onError: onApiError }),
        defaultOptions: {
          queries: {
            staleTime: 10_000,
            refetchOnWindowFocus: true,
            // Retrying cannot fix a refusal; it only delays the error message.
            retry: (count, error) => !(error instanceof ApiError && error.status > 0 && error.status < 500) && count < 2,
          },
          mutations: { retry: false },
        },
      }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
