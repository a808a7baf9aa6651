"use client";

import { useMutation } from "@tanstack/react-query";
import { useId } from "react";
import { ApiError } from "@/lib/client/fetch";
import { PASSKEY_WORDS, PasskeyPromptError, signInWithPasskey } from "@/lib/client/passkeys";
import { usePasskeySupport } from "@/components/use-passkey-support";
import { useSingleFlight } from "@/components/ui/use-single-flight";

export interface PasskeySignInProps {
  /** Where to go once signed in (already checked by safeNextPath). */
  next: string;
  /**
   * Second-factor mode: the username and password the form already took; the
   * passkey must then be that admin's. Absent: passwordless sign-in.
   */
  credentials?: { username: string; password: string };
  /** The button's words (defaults: "Sign in with a passkey" / "Use a passkey"). */
  label?: string;
}

/** The server's refusal in words a person reads on the login page. */
function message(error: Error): string {
  if (error instanceof PasskeyPromptError) return error.message;
  if (error instanceof ApiError && error.status === 429) return error.message.replace(/^too many failed login attempts/, "Too many failed attempts") + ".";
  if (/^this passkey request has expired/.test(error.message)) return "The passkey request expired. Try again.";
  if (/^this passkey was not accepted/.test(error.message)) return "That passkey is not registered with this panel. Try another one, or sign in with your password.";
  if (/^Invalid username or password/.test(error.message)) return "The password, or the passkey, is not right for this username.";
  return /^[A-Z]/.test(error.message) ? error.message : `Could not sign in: ${error.message}.`;
}

/**
 * "Sign in with a passkey": asks the browser for a passkey of this panel and
 * signs in with it. The same button serves the login form's second step when
 * given `credentials`.
 */
export function PasskeySignIn({ next, credentials, label }: PasskeySignInProps) {
  const errorId = useId();
  const once = useSingleFlight();
  const support = usePasskeySupport();
  const unavailable = support === "unsupported" || support === "insecure";
  const signIn = useMutation({
    mutationFn: () => signInWithPasskey(credentials),
    // A full navigation, so the panel is rendered with the new session cookie.
    onSuccess: () => window.location.assign(next),
  });

  const busy = signIn.isPending || signIn.isSuccess;
  return (
    <div className="space-y-3">
      <button
        type="button"
        onClick={() => void once(() => signIn.mutateAsync())}
        disabled={busy || unavailable}
        aria-describedby={signIn.isError || unavailable ? errorId : undefined}
        className="flex w-full items-center justify-center gap-2 rounded-lg border border-zinc-300 bg-white px-4 py-2.5 text-sm font-semibold text-zinc-900 shadow-sm transition hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-60 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800"
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" className="h-4 w-4">
          <circle cx="9" cy="8" r="4" />
          <path d="M2 20c0-3.3 3.1-6 7-6 1.3 0 2.5.3 3.5.8M17 12a3 3 0 1 1 0 6 3 3 0 0 1 0-6Zm0 6v4m0-2h2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        {busy ? "Waiting for your passkey…" : (label ?? (credentials ? "Use a passkey" : "Sign in with a passkey"))}
      </button>
      {unavailable && (
        <p id={errorId} className="text-center text-sm text-zinc-600 dark:text-zinc-400">
          {support === "insecure" ? PASSKEY_WORDS.insecure : PASSKEY_WORDS.unsupported}
        </p>
      )}
      {signIn.isError && (
        <p
          id={errorId}
          role="alert"
          className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900/60 dark:bg-red-950/50 dark:text-red-200"
        >
          {message(signIn.error)}
        </p>
      )}
    </div>
  );
}
