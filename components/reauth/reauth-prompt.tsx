"use client";

import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { inputClass } from "@/components/ui/styles";
import { explain } from "@/components/security/messages";
import { usePasskeys } from "@/components/security/passkey-api";
import { useTwoFactorStatus } from "@/components/security/two-factor-api";
import { setReauthPrompt } from "@/lib/client/fetch";
import { passkeysSupported } from "@/lib/client/passkeys";
import { useReauthDialog } from "./use-reauth-dialog";

/**
 * Registers the panel's "confirm it's you" prompt with the API client: a change
 * the server holds back for a fresh confirmation opens it, and is sent again
 * once confirmed. Requests that need it at the same time share one prompt.
 */
export function ReauthPromptProvider({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const waiting = useRef<{ promise: Promise<boolean>; resolve(confirmed: boolean): void } | null>(null);

  useEffect(() => {
    setReauthPrompt(() => {
      if (!waiting.current) {
        let resolve!: (confirmed: boolean) => void;
        const promise = new Promise<boolean>((r) => (resolve = r));
        waiting.current = { promise, resolve };
        setOpen(true);
      }
      return waiting.current.promise;
    });
    return () => setReauthPrompt(null);
  }, []);

  const done = useCallback((confirmed: boolean) => {
    setOpen(false);
    waiting.current?.resolve(confirmed);
    waiting.current = null;
  }, []);

  return (
    <>
      {children}
      <ReauthDialog open={open} onDone={done} />
    </>
  );
}

const LINK =
  "text-sm font-medium text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60 dark:text-indigo-300";

function ReauthDialog({ open, onDone }: { open: boolean; onDone(confirmed: boolean): void }) {
  const dialog = useReauthDialog(onDone);
  // Mounted with the panel: the answer is there when the prompt opens.
  const twoFactor = useTwoFactorStatus();
  const passkeys = usePasskeys();
  const hasPasskey = (passkeys.data?.length ?? 0) > 0;
  const [empty, setEmpty] = useState(false);
  const byPassword = dialog.method === "password";

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("secret") ?? "");
    setEmpty(!value.trim());
    if (value.trim()) dialog.submit(value);
  }

  return (
    <Dialog
      open={open}
      onRequestClose={dialog.cancel}
      layer="over"
      title="Confirm it’s you"
      description="This change needs a fresh confirmation. You won’t be asked again for 10 minutes in this browser."
    >
      <form onSubmit={submit} noValidate className="mt-4 space-y-4">
        {dialog.error && <ErrorNote>{explain(dialog.error, "confirm")}</ErrorNote>}
        <Field
          key={dialog.method}
          label={byPassword ? "Your password" : "Code from your authenticator app, or a recovery code"}
          error={empty ? (byPassword ? "Enter your password." : "Enter the code.") : undefined}
        >
          {(control) => (
            <input
              {...control}
              data-autofocus
              name="secret"
              type={byPassword ? "password" : "text"}
              autoComplete={byPassword ? "current-password" : "one-time-code"}
              inputMode={byPassword ? undefined : "text"}
              spellCheck={false}
              onChange={() => empty && setEmpty(false)}
              className={inputClass(empty)}
            />
          )}
        </Field>
        <div className="flex flex-wrap gap-x-4 gap-y-2">
          {(twoFactor.data?.enabled || !byPassword) && (
            <button type="button" onClick={() => dialog.switchTo(byPassword ? "code" : "password")} className={LINK}>
              {byPassword ? "Use a two-factor code instead" : "Use your password instead"}
            </button>
          )}
          {hasPasskey && passkeysSupported() && (
            <button type="button" onClick={dialog.withPasskey} disabled={dialog.pending} className={LINK}>
              Use a passkey
            </button>
          )}
        </div>
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button onClick={dialog.cancel} disabled={dialog.pending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={dialog.pending}>
            {dialog.pending ? "Checking…" : "Confirm"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
