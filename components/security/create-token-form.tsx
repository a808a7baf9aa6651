"use client";

import { useId, useState, type FormEvent } from "react";
import { TOKEN_SCOPES, type TokenScope } from "@/db/schema/constants";
import { endOfDay, formatDate, isoDay } from "@/lib/client/format";
import type { CreateTokenVariables } from "@/lib/client/token-queries";
import { SCOPE_INFO } from "@/lib/tokens/scopes-info";
import { NAME_MAX_CHARS, tokenName } from "@/lib/tokens/token-name";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/error-note";
import { inputClass } from "@/components/ui/styles";

const DAY_MS = 86_400_000;
const EXPIRY_CHOICES = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "never", label: "Never" },
  { value: "custom", label: "On a date…" },
] as const;
type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]["value"];

export interface CreateTokenFormProps {
  onSubmit(values: CreateTokenVariables): void;
  onCancel(): void;
  pending: boolean;
  /** The server's answer when it refused: shown under the field it is about. */
  serverError?: string;
}

/** Presentational: the dialog that owns the mutation decides what happens on submit. */
export function CreateTokenForm({ onSubmit, onCancel, pending, serverError }: CreateTokenFormProps) {
  const ids = { name: useId(), nameHelp: useId(), nameError: useId(), scope: useId(), scopeHelp: useId(), expiry: useId(), date: useId(), dateError: useId(), form: useId() };
  const [name, setName] = useState("");
  const [scope, setScope] = useState<TokenScope>("admin");
  const [expiry, setExpiry] = useState<ExpiryChoice>("30");
  const [date, setDate] = useState("");
  const [touched, setTouched] = useState(false);
  const [now] = useState(() => Date.now());

  const nameCheck = tokenName.safeParse(name);
  const localNameError = nameCheck.success ? undefined : nameCheck.error.issues[0]?.message;
  const serverNameError = serverError && /name/.test(serverError) ? serverError : undefined;
  const nameError = (touched && localNameError) || serverNameError;
  const formError = serverError && !serverNameError ? serverError : undefined;

  const expiresAt =
    expiry === "never" ? 0 : expiry === "custom" ? (date ? endOfDay(date) : NaN) : now + Number(expiry) * DAY_MS;
  const dateError = touched && expiry === "custom" && !(expiresAt > now) ? "Pick a date in the future." : undefined;
  const chars = [...name.trim()].length;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    // Fixed-length choices count from submission, not from when the dialog opened.
    const submittedAt = Math.round(performance.timeOrigin + event.timeStamp);
    if (localNameError || (expiry === "custom" && !(expiresAt > submittedAt))) return;
    const at = expiry === "never" || expiry === "custom" ? expiresAt : submittedAt + Number(expiry) * DAY_MS;
    onSubmit({ name: name.trim(), scope, expiresAt: at });
  }

  return (
    <form onSubmit={submit} noValidate aria-describedby={formError ? ids.form : undefined} className="space-y-5">
      {formError && (
        <ErrorNote id={ids.form}>{formError}</ErrorNote>
      )}

      <div className="space-y-1.5">
        <div className="flex items-baseline justify-between">
          <label htmlFor={ids.name} className="text-sm font-medium">
            Name
          </label>
          <span id={ids.nameHelp} className={`text-xs ${chars > NAME_MAX_CHARS ? "text-red-600" : "text-zinc-500 dark:text-zinc-400"}`}>
            {chars}/{NAME_MAX_CHARS}
          </span>
        </div>
        <input
          id={ids.name}
          data-autofocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => name && setTouched(true)}
          required
          autoComplete="off"
          spellCheck={false}
          placeholder="e.g. central-panel-a"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={`${ids.nameHelp}${nameError ? ` ${ids.nameError}` : ""}`}
          className={inputClass(Boolean(nameError))}
        />
        {nameError && (
          <p id={ids.nameError} className="text-sm text-red-700 dark:text-red-400">
            {nameError}
          </p>
        )}
      </div>

      <div className="space-y-1.5">
        <label htmlFor={ids.scope} className="text-sm font-medium">
          Scope
        </label>
        <select
          id={ids.scope}
          value={scope}
          onChange={(e) => setScope(e.target.value as TokenScope)}
          aria-describedby={ids.scopeHelp}
          className={inputClass()}
        >
          {TOKEN_SCOPES.map((s) => (
            <option key={s} value={s}>
              {SCOPE_INFO[s].label} — {SCOPE_INFO[s].short}
            </option>
          ))}
        </select>
        <p id={ids.scopeHelp} className="text-sm text-zinc-600 dark:text-zinc-400">
          {SCOPE_INFO[scope].summary}
          {scope === "admin" && " Treat it like the admin password."}
        </p>
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <div className="space-y-1.5">
          <label htmlFor={ids.expiry} className="text-sm font-medium">
            Expiration
          </label>
          <select
            id={ids.expiry}
            value={expiry}
            onChange={(e) => setExpiry(e.target.value as ExpiryChoice)}
            className={inputClass()}
          >
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        {expiry === "custom" && (
          <div className="space-y-1.5">
            <label htmlFor={ids.date} className="text-sm font-medium">
              Expiration date
            </label>
            <input
              id={ids.date}
              type="date"
              value={date}
              min={isoDay(now + DAY_MS)}
              onChange={(e) => setDate(e.target.value)}
              aria-invalid={dateError ? true : undefined}
              aria-describedby={dateError ? ids.dateError : undefined}
              className={inputClass(Boolean(dateError))}
            />
            {dateError && (
              <p id={ids.dateError} className="text-sm text-red-700 dark:text-red-400">
                {dateError}
              </p>
            )}
          </div>
        )}
      </div>
      <p className="-mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        {expiry === "never"
          ? "This token never expires. Prefer an expiry: a forgotten token stays valid forever."
          : Number.isFinite(expiresAt)
            ? `The token stops working after ${formatDate(expiresAt)}.`
            : "Choose the last day the token works."}
      </p>

      <div className="flex flex-col-reverse gap-2 pt-1 sm:flex-row sm:justify-end">
        <Button onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Creating…" : "Create"}
        </Button>
      </div>
    </form>
  );
}
