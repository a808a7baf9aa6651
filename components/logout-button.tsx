"use client";

import { useMutation } from "@tanstack/react-query";
import { callApi } from "@/lib/client/fetch";
import { useSession } from "./session-provider";

export function LogoutButton() {
  const { csrfToken } = useSession();
  const logout = useMutation({
    mutationFn: () => callApi("/logout", { method: "POST", csrfToken }),
    // Even if the request failed, leave: the login page shows the real state.
    // A full page load (not router.push) drops every cached query of the old session.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    onSettled: () => window.location.assign("/login"),
  });
  return (
    <button
      type="button"
      onClick={() => logout.mutate()}
      disabled={logout.isPending}
      className="rounded-lg px-3 py-1.5 text-sm font-medium text-zinc-700 transition hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:opacity-60 dark:text-zinc-300 dark:hover:bg-zinc-800"
    >
      {logout.isPending ? "Logging out…" : "Log out"}
    </button>
  );
}
