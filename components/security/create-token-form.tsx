"use client";

import { useState, type FormEvent } from "react";
import { TOKEN_SCOPES, type TokenScope } from "@/db/schema/constants";
import { formatDate, isoDay } from "@/lib/client/format";
import { SCOPE_INFO } from "@/lib/tokens/scopes-info";
import { DESCRIPTION_MAX_CHARS as DESCRIPTION_MAX } from "@/lib/tokens/token-description";
import { NAME_MAX_CHARS, tokenName } from "@/lib/tokens/token-name";
import { parseRateLimitText } from "@/lib/tokens/token-rate-limit";
import { allowlistProblem, expiryProblem, type TokenPolicy } from "@/lib/tokens/policy-rules";
import { Button } from "@/components/ui/button";
import { CheckboxField } from "@/components/ui/checkbox-field";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { inputClass } from "@/components/ui/styles";
import { ALLOWLIST_HELP, parseAllowlist } from "./allowlist";
import { RateLimitField } from "./rate-limit-field";
import { allowedExpiryChoices, EXPIRY_CHOICES, expiryFrom, initialExpiry, latestExpiryDay, type ExpiryChoice } from "./expiry-choices";
import { explain, isAbout } from "./messages";
import type { CreateTokenVariables } from "./token-api";

export interface CreateTokenFormProps {
  onSubmit(values: CreateTokenVariables): void;
  onCancel(): void;
  pending: boolean;
  /** The server's refusal: shown under the field it is about, else above the form. */
  serverError?: Error | null;
  /** The token policy the server will apply (its rules are checked here first; canaries are exempt). */
  policy: TokenPolicy;
}

const DAY_MS = 86_400_000;
const SCOPE_OPTIONS = TOKEN_SCOPES.map((s) => ({ value: s, label: `${SCOPE_INFO[s].label} — ${SCOPE_INFO[s].short}` }));

/** Presentational: the flow that owns the mutation decides what a submit does. */
export function CreateTokenForm({ onSubmit, onCancel, pending, serverError, policy }: CreateTokenFormProps) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [scope, setScope] = useState<TokenScope>("monitor");
  const [now] = useState(() => Date.now());
  const [start] = useState(() => initialExpiry(policy, now));
  const [expiry, setExpiry] = useState<ExpiryChoice>(start.choice);
  const [date, setDate] = useState(start.date);
  const [ips, setIps] = useState("");
  const [rateLimit, setRateLimit] = useState("");
  const [canary, setCanary] = useState(false);
  const [touched, setTouched] = useState(false);
  // A canary never works, so no rule binds it.
  const rules = canary ? null : policy;
  const expiryOptions = rules ? allowedExpiryChoices(rules) : EXPIRY_CHOICES;
  const lastDay = rules ? latestExpiryDay(rules, now) : null;

  const nameCheck = tokenName.safeParse(name);
  const localName = nameCheck.success ? undefined : nameCheck.error.issues[0]?.message;
  const nameError = (touched && localName ? explain(new Error(localName)) : undefined) ?? (isAbout(serverError, "name") ? explain(serverError!) : undefined);
  const allowlist = parseAllowlist(ips);
  const allowlistRule = rules && !allowlist.error ? allowlistProblem(rules, scope, allowlist.entries) : null;
  const ipsError =
    (touched ? (allowlist.error ?? (allowlistRule ? explain(new Error(allowlistRule)) : undefined)) : undefined) ??
    (isAbout(serverError, "allowedIps") ? explain(serverError!) : undefined);
  const descriptionChars = [...description.trim()].length;
  const descriptionError =
    descriptionChars > DESCRIPTION_MAX
      ? `Keep the description to ${DESCRIPTION_MAX} characters or fewer.`
      : isAbout(serverError, "description")
        ? explain(serverError!)
        : undefined;
  const rate = parseRateLimitText(rateLimit);
  const rateError = (touched ? rate.error : undefined) ?? (isAbout(serverError, "rateLimitPerMinute") ? explain(serverError!) : undefined);
  // A choice the policy no longer allows (canary unticked) counts as none.
  const choice = expiryOptions.some((c) => c.value === expiry) ? expiry : "custom";
  const expiresAt = expiryFrom(choice, date, now);
  const expiryRule = rules && Number.isFinite(expiresAt) ? expiryProblem(rules, expiresAt, now) : null;
  const dateError =
    touched && choice === "custom" && !(expiresAt > now)
      ? "Pick a date in the future."
      : touched && expiryRule
        ? explain(new Error(expiryRule))
        : isAbout(serverError, "expiresAt")
          ? explain(serverError!)
          : undefined;
  const fieldErrors = ["name", "allowedIps", "description", "rateLimitPerMinute", "expiresAt"] as const;
  const formError = serverError && !fieldErrors.some((f) => isAbout(serverError, f)) ? explain(serverError, "create the token") : undefined;
  const chars = [...name.trim()].length;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    // Fixed-length choices count from submission, not from when the dialog opened.
    const submittedAt = Date.now();
    const at = expiryFrom(choice, date, submittedAt);
    if (localName || allowlist.error || allowlistRule || rate.error || descriptionChars > DESCRIPTION_MAX || !(at === 0 || at > submittedAt)) return;
    if (rules && expiryProblem(rules, at, submittedAt)) return;
    onSubmit({
      name: name.trim(),
      description: description.trim(),
      scope,
      expiresAt: at,
      allowedIps: allowlist.entries,
      rateLimitPerMinute: rate.value ?? 0,
      canary,
    });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      {formError && <ErrorNote>{formError}</ErrorNote>}

      <Field label="Name" error={nameError} aside={`${chars}/${NAME_MAX_CHARS}`}>
        {(control) => (
          <input
            {...control}
            data-autofocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => name && setTouched(true)}
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. central-panel-a"
            className={inputClass(Boolean(nameError))}
          />
        )}
      </Field>

      <Field label="Description" help="Optional: who uses it and what for." error={descriptionError} aside={`${descriptionChars}/${DESCRIPTION_MAX}`}>
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            className={inputClass(Boolean(descriptionError))}
          />
        )}
      </Field>

      <Field label="Scope" help={`${SCOPE_INFO[scope].summary}${scope === "admin" ? " Treat it like the admin password." : ""}`}>
        {(control) => (
          <Select<TokenScope> {...control} value={scope} options={SCOPE_OPTIONS} onValueChange={setScope} />
        )}
      </Field>

      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Expiration"
          error={choice === "custom" ? undefined : dateError}
          help={
            (choice === "never"
              ? "Never expires. Prefer an expiry: a forgotten token stays valid forever."
              : Number.isFinite(expiresAt)
                ? `Works until ${formatDate(expiresAt)}.`
                : "Choose the last day the token works.") +
            (rules?.maxLifetimeDays ? ` The token policy allows at most ${rules.maxLifetimeDays} days.` : "")
          }
        >
          {(control) => (
            <Select<ExpiryChoice> {...control} value={choice} options={expiryOptions} onValueChange={setExpiry} />
          )}
        </Field>
        {choice === "custom" && (
          <Field label="Expiration date" error={dateError}>
            {(control) => (
              <input
                {...control}
                type="date"
                value={date}
                min={isoDay(now + DAY_MS)}
                max={lastDay ?? undefined}
                onChange={(e) => setDate(e.target.value)}
                className={inputClass(Boolean(dateError))}
              />
            )}
          </Field>
        )}
      </div>

      <Field
        label="Allowed IP addresses"
        help={rules?.adminRequiresAllowlist && scope === "admin" ? `${ALLOWLIST_HELP} Required for admin tokens by the token policy.` : ALLOWLIST_HELP}
        error={ipsError}
      >
        {(control) => (
          <textarea
            {...control}
            rows={2}
            value={ips}
            onChange={(e) => setIps(e.target.value)}
            placeholder={"203.0.113.0/24\n2001:db8::/32"}
            spellCheck={false}
            className={`${inputClass(Boolean(ipsError))} font-mono`}
          />
        )}
      </Field>

      <RateLimitField value={rateLimit} onChange={setRateLimit} error={rateError} />

      <CheckboxField checked={canary} onChange={setCanary} label="Canary token">
        A decoy to plant where a leak would show (a config file, a wiki page): it never works, and every use is recorded in the audit
        log with the address it came from.
      </CheckboxField>

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
