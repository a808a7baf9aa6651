"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { CheckboxField } from "@/components/ui/checkbox-field";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { LoadError, LoadingRows } from "@/components/ui/load-states";
import { SectionCard } from "@/components/ui/section-card";
import { inputClass } from "@/components/ui/styles";
import { useToast } from "@/components/ui/toast";
import { useSingleFlight } from "@/components/ui/use-single-flight";
import { formatDateTime } from "@/lib/client/format";
import { MAX_POLICY_DAYS, policyProblem, type TokenPolicy } from "@/lib/tokens/policy-rules";
import { explain } from "./messages";
import { useSaveTokenPolicy, useTokenPolicy, type TokenPolicyStatus } from "./policy-api";

/** A days field's text: blank is none (0); else a whole number in range. */
function parseDays(text: string): { value: number; error?: undefined } | { value?: undefined; error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { value: 0 };
  const n = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  return n >= 0 && n <= MAX_POLICY_DAYS ? { value: n } : { error: `Enter a whole number of days up to ${MAX_POLICY_DAYS}, or leave it empty for none.` };
}

const daysText = (days: number) => (days ? String(days) : "");

/** The token policy: rules for tokens made from now on, and how many existing ones break them. */
export function PoliciesSection() {
  const policy = useTokenPolicy();
  return (
    <SectionCard
      headingId="policies-heading"
      title="Token policies"
      description="Rules for API tokens created, edited or rotated from now on, whoever makes them (this page, the API, the command line). Tokens made before a rule keep working; they are flagged in the list."
    >
      {policy.isPending ? (
        <LoadingRows label="Loading the token policy" rows={4} />
      ) : policy.isError ? (
        <LoadError what="the token policy" reason={explain(policy.error, "load the token policy")} onRetry={() => policy.refetch()} retrying={policy.isFetching} />
      ) : (
        // Keyed by the saved version: a save elsewhere (or here) starts the form from what is stored.
        <PolicyForm key={policy.data.updatedAt} status={policy.data} />
      )}
    </SectionCard>
  );
}

function PolicyForm({ status }: { status: TokenPolicyStatus }) {
  const save = useSaveTokenPolicy();
  const once = useSingleFlight();
  const toast = useToast();
  const [maxText, setMaxText] = useState(daysText(status.maxLifetimeDays));
  const [defaultText, setDefaultText] = useState(daysText(status.defaultExpiryDays));
  const [adminAllowlist, setAdminAllowlist] = useState(status.adminRequiresAllowlist);
  const [disableOnReuse, setDisableOnReuse] = useState(status.disableOnReuse);
  const [touched, setTouched] = useState(false);

  const max = parseDays(maxText);
  const byDefault = parseDays(defaultText);
  const rule = max.value !== undefined && byDefault.value !== undefined ? policyProblem({ maxLifetimeDays: max.value, defaultExpiryDays: byDefault.value }) : null;
  const maxError = touched ? max.error : undefined;
  const defaultError = touched ? (byDefault.error ?? (rule ? "The default expiry cannot be longer than the maximum lifetime." : undefined)) : undefined;

  const next: Omit<TokenPolicy, "updatedAt"> | null =
    max.value !== undefined && byDefault.value !== undefined
      ? { maxLifetimeDays: max.value, defaultExpiryDays: byDefault.value, adminRequiresAllowlist: adminAllowlist, disableOnReuse }
      : null;
  // Compared as typed, so a value that does not parse can still be submitted and explained.
  const dirty =
    maxText.trim() !== daysText(status.maxLifetimeDays) ||
    defaultText.trim() !== daysText(status.defaultExpiryDays) ||
    adminAllowlist !== status.adminRequiresAllowlist ||
    disableOnReuse !== status.disableOnReuse;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!next || rule) return;
    void once(async () => {
      await save.mutateAsync(next);
      toast.success("Token policy saved.");
    });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-5 p-5">
      {save.isError && <ErrorNote>{explain(save.error, "save the token policy")}</ErrorNote>}
      {status.violatingTokens > 0 && (
        <p role="status" className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-950 dark:bg-amber-950/40 dark:text-amber-100">
          {status.violatingTokens === 1 ? "1 token breaks" : `${status.violatingTokens.toLocaleString("en")} tokens break`} this policy (made before
          it). They keep working.{" "}
          <a href="?status=violating" className="font-medium underline underline-offset-2">
            Show {status.violatingTokens === 1 ? "it" : "them"}
          </a>
        </p>
      )}

      <div className="grid max-w-2xl gap-4 sm:grid-cols-2">
        <Field
          label="Maximum lifetime (days)"
          error={maxError}
          help="New and rotated tokens must expire within this many days. Empty: no limit, tokens may never expire."
        >
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              value={maxText}
              onChange={(e) => setMaxText(e.target.value)}
              placeholder="No limit"
              className={inputClass(Boolean(maxError))}
            />
          )}
        </Field>
        <Field
          label="Default expiry (days)"
          error={defaultError}
          help="For a token created without an expiry (a bot, the command line); the create form starts with it. Empty: never."
        >
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              value={defaultText}
              onChange={(e) => setDefaultText(e.target.value)}
              placeholder="Never"
              className={inputClass(Boolean(defaultError))}
            />
          )}
        </Field>
      </div>

      <CheckboxField className="max-w-2xl" checked={adminAllowlist} onChange={setAdminAllowlist} label="Admin-scope tokens need an IP allowlist">
        An admin token works from anywhere unless it names the addresses it may be used from. With this on, creating one (or
        clearing its allowlist) without addresses is refused.
      </CheckboxField>
      <CheckboxField className="max-w-2xl" checked={disableOnReuse} onChange={setDisableOnReuse} label="Disable a token when its old secret is reused">
        After a rotation, the old secret is refused once its grace period ends; if someone presents it anyway, it has leaked. With
        this on the token is also switched off (and audited), so whoever leaked it cannot use the new secret either; but whoever holds
        the old secret can then switch the token off.
      </CheckboxField>

      <div className="flex flex-wrap items-center gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800">
        <Button type="submit" variant="primary" disabled={save.isPending || !dirty}>
          {save.isPending ? "Saving…" : "Save policy"}
        </Button>
        <span className="text-xs text-zinc-600 dark:text-zinc-400">
          {status.updatedAt ? `Last changed ${formatDateTime(status.updatedAt)}.` : "Never changed: no rules apply."}
          {!dirty && status.updatedAt !== 0 ? " No unsaved changes." : ""}
        </span>
      </div>
    </form>
  );
}
