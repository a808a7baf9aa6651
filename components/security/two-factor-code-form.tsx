"use client";

import { useId, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/styles";

export interface TwoFactorCodeFormProps {
  label: string;
  help: string;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  /** Why the last code was refused, in a sentence. */
  error?: string;
  onSubmit(code: string): void;
  onEdit(): void;
  onCancel?(): void;
  /** Digits only (setup) or digits or a recovery code. */
  recoveryAllowed?: boolean;
  /** "danger" for a button that lowers protection (turning 2FA off). */
  tone?: "primary" | "danger";
}

/** One code field and its button; the hook that owns the request decides what happens. */
export function TwoFactorCodeForm(props: TwoFactorCodeFormProps) {
  const id = useId();
  const ids = { help: `${id}-help`, error: `${id}-error` };
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").trim();
    if (code) props.onSubmit(code);
  }
  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      <div className="space-y-1.5">
        <label htmlFor={id} className="text-sm font-medium">
          {props.label}
        </label>
        <input
          id={id}
          name="code"
          type="text"
          inputMode={props.recoveryAllowed ? "text" : "numeric"}
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={64}
          required
          data-autofocus
          aria-invalid={props.error ? true : undefined}
          aria-describedby={[props.error ? ids.error : "", ids.help].filter(Boolean).join(" ")}
          onChange={props.onEdit}
          className={`${inputClass(Boolean(props.error))} max-w-xs font-mono tracking-wider`}
        />
        {props.error && (
          <p id={ids.error} role="alert" className="text-sm text-red-700 dark:text-red-400">
            {props.error}
          </p>
        )}
        <p id={ids.help} className="text-sm text-zinc-600 dark:text-zinc-400">
          {props.help}
        </p>
      </div>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        {props.onCancel && (
          <Button onClick={props.onCancel} disabled={props.pending}>
            Cancel
          </Button>
        )}
        <Button type="submit" variant={props.tone ?? "primary"} disabled={props.pending}>
          {props.pending ? props.pendingLabel : props.submitLabel}
        </Button>
      </div>
    </form>
  );
}
