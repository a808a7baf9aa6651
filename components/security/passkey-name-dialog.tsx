"use client";

import type { FormEvent, ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { inputClass } from "@/components/ui/styles";
import { PASSKEY_NAME_MAX_CHARS } from "@/lib/passkeys/passkey-name";

export interface PasskeyNameDialogProps {
  open: boolean;
  title: string;
  description?: ReactNode;
  defaultName: string;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  nameError?: string;
  /** Why the last attempt failed, in words. */
  error?: string;
  onNameInput(): void;
  onSubmit(name: string): void;
  onCancel(): void;
}

/** The form of "Add a passkey" and "Rename": one name field; the owner (its hook) does the work. */
export function PasskeyNameDialog(props: PasskeyNameDialogProps) {
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    props.onSubmit(String(new FormData(event.currentTarget).get("name") ?? ""));
  }
  return (
    <Dialog open={props.open} onRequestClose={props.onCancel} title={props.title} description={props.description}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <Field label="Name" error={props.nameError} help="So you can tell your passkeys apart, e.g. “Work laptop” or “Phone”.">
          {(control) => (
            <input
              {...control}
              name="name"
              type="text"
              data-autofocus
              defaultValue={props.defaultName}
              maxLength={PASSKEY_NAME_MAX_CHARS * 2}
              autoComplete="off"
              onChange={() => props.nameError && props.onNameInput()}
              className={inputClass(Boolean(props.nameError))}
            />
          )}
        </Field>
        {props.error && <ErrorNote>{props.error}</ErrorNote>}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button onClick={props.onCancel} disabled={props.pending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" disabled={props.pending}>
            {props.pending ? props.pendingLabel : props.submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
