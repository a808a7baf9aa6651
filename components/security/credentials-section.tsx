"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { inputClass } from "@/components/ui/styles";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { useSession } from "@/components/session-provider";
import { explain } from "./messages";
import { useUpdateCredentials } from "./token-api";

const MIN_PASSWORD = 8;

interface Values {
  username: string;
  current: string;
  password: string;
  confirm: string;
}

/** What is wrong before anything is sent: an empty current password would only count against the login throttle. */
function check(v: Values): Partial<Record<keyof Values, string>> {
  return {
    username: v.username.trim() ? undefined : "Enter a username.",
    current: v.current ? undefined : "Enter your current password.",
    password: [...v.password].length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : undefined,
    confirm: v.password !== v.confirm ? "The two new passwords differ." : undefined,
  };
}

/**
 * Change the admin's username and password. The current password is required;
 * on success the server ends every session of this admin, so we go to /login.
 */
export function CredentialsSection() {
  const { username } = useSession();
  const update = useUpdateCredentials();
  const once = useSingleFlight();
  const [errors, setErrors] = useState<ReturnType<typeof check>>({});

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const get = (name: string) => String(data.get(name) ?? "");
    const values: Values = { username: get("username"), current: get("current"), password: get("password"), confirm: get("confirm") };
    const found = check(values);
    setErrors(found);
    if (Object.values(found).some(Boolean)) return;
    void once(async () => {
      await update.mutateAsync({ oldUsername: username, oldPassword: values.current, newUsername: values.username.trim(), newPassword: values.password });
      // Every session of this admin just ended, this one included.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/login?changed=1");
    });
  }

  const field = (name: keyof Values, label: string, autoComplete: string, type = "password", help?: string, defaultValue?: string) => (
    <Field label={label} error={errors[name]} help={help}>
      {(control) => (
        <input
          {...control}
          name={name}
          type={type}
          autoComplete={autoComplete}
          defaultValue={defaultValue}
          spellCheck={false}
          onChange={() => errors[name] && setErrors((e) => ({ ...e, [name]: undefined }))}
          className={inputClass(Boolean(errors[name]))}
        />
      )}
    </Field>
  );

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
        {update.isError && <ErrorNote className="sm:col-span-2">{explain(update.error, "change the credentials")}</ErrorNote>}
        {field("username", "Username", "username", "text", undefined, username)}
        {field("current", "Current password", "current-password")}
        {field("password", "New password", "new-password", "password", `At least ${MIN_PASSWORD} characters. A passphrase is easiest.`)}
        {field("confirm", "Confirm new password", "new-password")}
        <div className="sm:col-span-2">
          <Button type="submit" variant="primary" disabled={update.isPending || update.isSuccess}>
            {update.isPending ? "Saving…" : "Update credentials"}
          </Button>
        </div>
      </form>
    </section>
  );
}
