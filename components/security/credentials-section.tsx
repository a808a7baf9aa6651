"use client";

import { useId, useState, type FormEvent } from "react";
import { useUpdateCredentials } from "@/lib/client/token-queries";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/error-note";
import { inputClass } from "@/components/ui/styles";
import { useSession } from "@/components/session-provider";

const MIN_PASSWORD = 8;

function Field(props: {
  id: string;
  label: string;
  type?: string;
  autoComplete: string;
  defaultValue?: string;
  hint?: string;
  error?: string;
}) {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  const describedBy = [props.hint && hintId, props.error && errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={props.id} className="text-sm font-medium">
        {props.label}
      </label>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? "text"}
        autoComplete={props.autoComplete}
        defaultValue={props.defaultValue}
        required
        spellCheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        className={inputClass(Boolean(props.error))}
      />
      {props.hint && (
        <p id={hintId} className="text-xs text-zinc-500 dark:text-zinc-400">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={errorId} className="text-sm text-red-700 dark:text-red-400">
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * Change the admin's username and password. The current password is required;
 * on success the server ends every session of this admin, so we go to /login.
 */
export function CredentialsSection() {
  const { username, csrfToken } = useSession();
  const update = useUpdateCredentials(csrfToken);
  const [mismatch, setMismatch] = useState<string>();
  const [tooShort, setTooShort] = useState<string>();
  const base = useId();
  const id = (name: string) => `${base}-${name}`;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const get = (name: string) => String(data.get(id(name)) ?? "");
    const newPassword = get("new-password");
    const short = [...newPassword].length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : undefined;
    const differs = newPassword !== get("confirm-password") ? "The two new passwords differ." : undefined;
    setTooShort(short);
    setMismatch(differs);
    if (short || differs) return;
    update.mutate(
      {
        oldUsername: username,
        oldPassword: get("current-password"),
        newUsername: get("new-username"),
        newPassword,
      },
      // Every session of this admin just ended, this one included.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      { onSuccess: () => window.location.assign("/login?changed=1") },
    );
  }

  return (
    <section
      aria-labelledby="credentials-heading"
      className="rounded-2xl border border-zinc-200 bg-white p-5 shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 id="credentials-heading" className="text-lg font-semibold tracking-tight">
        Admin credentials
      </h2>
      <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
        Changing them signs this admin out everywhere, including here. API tokens keep working.
      </p>
      <form onSubmit={submit} noValidate className="mt-5 grid max-w-2xl gap-4 sm:grid-cols-2">
        {update.isError && <ErrorNote className="sm:col-span-2">{update.error.message}</ErrorNote>}
        <Field id={id("new-username")} label="Username" autoComplete="username" defaultValue={username} />
        <Field id={id("current-password")} label="Current password" type="password" autoComplete="current-password" />
        <Field
          id={id("new-password")}
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${MIN_PASSWORD} characters. A passphrase is easiest.`}
          error={tooShort}
        />
        <Field id={id("confirm-password")} label="Confirm new password" type="password" autoComplete="new-password" error={mismatch} />
        <div className="sm:col-span-2">
          <Button type="submit" variant="primary" disabled={update.isPending || update.isSuccess}>
            {update.isPending ? "Saving…" : "Update credentials"}
          </Button>
        </div>
      </form>
    </section>
  );
}
