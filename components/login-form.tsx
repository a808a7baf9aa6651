"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { callApi } from "@/lib/client/fetch";
import { PasskeySignIn } from "./passkey-sign-in";

interface Credentials {
  username: string;
  password: string;
  twoFactorCode?: string;
}

async function signIn(credentials: Credentials): Promise<void> {
  // The CSRF token is bound to this browser's cookie, which /csrf-token sets.
  const csrfToken = await callApi<string>("/csrf-token");
  await callApi("/login", { method: "POST", body: credentials, csrfToken });
}

/** 3x-ui's question before its form: does sign-in ask for a code? (Not which admin: it has one.) */
async function twoFactorEnabled(): Promise<boolean> {
  const csrfToken = await callApi<string>("/csrf-token");
  return callApi<boolean>("/getTwoFactorEnable", { method: "POST", body: {}, csrfToken });
}

const INPUT =
  "block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm outline-none transition focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-900";

/**
 * Sign-in. With two-factor sign-in on, the password step is followed by a code
 * step, and all three go to the server together: whether the password alone was
 * right is never told. The code step also offers a passkey as the second
 * factor, sent with the same username and password.
 */
export function LoginForm({ next }: { next: string }) {
  const errorId = useId();
  const codeHelpId = useId();
  const needsCode = useQuery({ queryKey: ["login", "twoFactorEnabled"], queryFn: twoFactorEnabled, retry: false, staleTime: Infinity });
  const [step, setStep] = useState<"password" | "code">("password");
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const login = useMutation({
    mutationFn: signIn,
    // A full navigation, so the panel is rendered with the new session cookie.
    onSuccess: () => window.location.assign(next),
    // The password is in the variables: do not keep it around after a failure.
    gcTime: 0,
  });

  useEffect(() => {
    if (step === "code") codeRef.current?.focus();
  }, [step]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    if (step === "code" && credentials) {
      login.mutate({ ...credentials, twoFactorCode: String(data.get("twoFactorCode") ?? "").trim() });
      return;
    }
    const entered = { username: String(data.get("username") ?? ""), password: String(data.get("password") ?? "") };
    // Submitted before the question was answered: wait for it rather than send a login that must fail.
    const codeAsked = needsCode.isPending ? (await needsCode.refetch()).data : needsCode.data;
    if (codeAsked === true) {
      login.reset();
      setCredentials(entered);
      setStep("code");
      return;
    }
    login.mutate(entered);
  }

  function back() {
    login.reset();
    setCredentials(null);
    setStep("password");
  }

  const busy = login.isPending || login.isSuccess;
  if (step === "code") {
    return (
      <form onSubmit={(e) => void onSubmit(e)} className="space-y-5" aria-describedby={login.isError ? errorId : undefined} noValidate>
        {login.isError && (
          <p
            id={errorId}
            role="alert"
            className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900/60 dark:bg-red-950/50 dark:text-red-200"
          >
            {login.error.message} Check the code, or go back and check the username and password.
          </p>
        )}
        <div className="space-y-1.5">
          <label htmlFor="twoFactorCode" className="block text-sm font-medium">
            Two-factor code
          </label>
          <input
            ref={codeRef}
            id="twoFactorCode"
            name="twoFactorCode"
            type="text"
            inputMode="text"
            autoComplete="one-time-code"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={64}
            required
            aria-describedby={codeHelpId}
            className={`${INPUT} font-mono tracking-wider`}
          />
          <p id={codeHelpId} className="text-sm text-zinc-600 dark:text-zinc-400">
            Enter the 6-digit code from your authenticator app (or a recovery code).
          </p>
        </div>
        <button
          type="submit"
          disabled={busy}
          className="flex w-full items-center justify-center rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm transition hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-wait disabled:opacity-70"
        >
          {busy ? "Signing in…" : "Verify and log in"}
        </button>
        {credentials && <PasskeySignIn next={next} credentials={credentials} label="Use a passkey instead" />}
        <button
          type="button"
          onClick={back}
          disabled={busy}
          className="flex w-full items-center justify-center rounded-lg px-4 py-2 text-sm font-medium text-zinc-700 transition hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          Back to username and password
        </button>
      </form>
    );
  }
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="space-y-5" aria-describedby={login.isError ? errorId : undefined} noValidate>
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
          defaultValue={credentials?.username}
          className={INPUT}
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
          className={INPUT}
        />
      </div>
      <button
        type="submit"
        disabled={busy}
        className="flex w-full items-center justify-center rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm transition hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-wait disabled:opacity-70"
      >
        {busy ? "Signing in…" : needsCode.data === true ? "Continue" : "Log in"}
      </button>
    </form>
  );
}
