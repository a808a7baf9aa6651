"use client";

import { useMutation } from "@tanstack/react-query";
import { useId, type FormEvent } from "react";
import { callApi } from "@/lib/client/fetch";

interface Credentials {
  username: string;
  password: string;
}

async function signIn(credentials: Credentials): Promise<void> {
  // The CSRF token is bound to this browser's cookie, which /csrf-token sets.
  const csrfToken = await callApi<string>("/csrf-token");
  await callApi("/login", { method: "POST", body: credentials, csrfToken });
}

export function LoginForm({ next }: { next: string }) {
  const errorId = useId();
  const login = useMutation({
    mutationFn: signIn,
    // A full navigation, so the panel is rendered with the new session cookie.
    onSuccess: () => window.location.assign(next),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    login.mutate({ username: String(data.get("username") ?? ""), password: String(data.get("password") ?? "") });
  }

  const busy = login.isPending || login.isSuccess;
  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-describedby={login.isError ? errorId : undefined} noValidate>
      {login.isError && (
        <p
          id={errorId}
          role="alert"
          className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900/60 dark:bg-red-950/50 dark:text-red-200"
        >
          {login.error.message}
        </p>
      )}
      <div className="space-y-1.5">
        <label htmlFor="username" className="block text-sm font-medium">
          Username
        </label>
        <input
          id="username"
          name="username"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          className="block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm outline-none transition focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-900"
        />
      </div>
      <div className="space-y-1.5">
        <label htmlFor="password" className="block text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm outline-none transition focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-900"
        />
      </div>
      <button
        type="submit"
        disabled={busy}
        className="flex w-full items-center justify-center rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm transition hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-wait disabled:opacity-70"
      >
        {busy ? "Signing in…" : "Log in"}
      </button>
    </form>
  );
}
