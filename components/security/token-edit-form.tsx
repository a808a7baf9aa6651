"use client";

import { useState, type FormEvent } from "react";
import { endOfDay, formatDate, isoDay } from "@/lib/client/format";
import { DESCRIPTION_MAX_CHARS as DESCRIPTION_MAX } from "@/lib/tokens/token-description";
import { NAME_MAX_CHARS, tokenName } from "@/lib/tokens/token-name";
import { Button } from "@/components/ui/button";
import { ErrorNote } from "@/components/ui/error-note";
import { Field } from "@/components/ui/field";
import { inputClass } from "@/components/ui/styles";
import { parseRateLimitText } from "@/lib/tokens/token-rate-limit";
import { ALLOWLIST_HELP, parseAllowlist } from "./allowlist";
import { RateLimitField } from "./rate-limit-field";
import { explain, isAbout } from "./messages";
import type { TokenView, UpdateTokenVariables } from "./token-api";
import type { useManageTokenDialog } from "./use-manage-token-dialog";

const DAY_MS = 86_400_000;

interface Draft {
  name: string;
  description: string;
  never: boolean;
  /** `YYYY-MM-DD`, the last day the token works; "" when none is picked. */
  date: string;
  ips: string;
  /** Requests per minute as typed; "" = no limit. */
  rateLimit: string;
}

const draftOf = (t: TokenView): Draft => ({
  name: t.name,
  description: t.description,
  never: t.expiresAt === 0,
  date: t.expiresAt ? isoDay(t.expiresAt) : "",
  ips: t.allowedIps.join("\n"),
  rateLimit: t.rateLimitPerMinute ? String(t.rateLimitPerMinute) : "",
});

type Outcome = { kind: "saved" } | { kind: "unchanged" } | null;

/**
 * Edit name, description, expiry, allowlist and rate limit. Only changed fields are sent,
 * so an expired token can get an allowlist without new life, and an unchanged
 * form sends nothing. After a save the form shows what the server stored.
 */
export function TokenEditForm({ token, manage }: { token: TokenView; manage: ReturnType<typeof useManageTokenDialog> }) {
  const [draft, setDraft] = useState(() => draftOf(token));
  const [checked, setChecked] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [now] = useState(() => Date.now());
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setOutcome(null);
    manage.resetSave();
  };

  const original = draftOf(token);
  const nameCheck = tokenName.safeParse(draft.name);
  const nameError = nameCheck.success ? undefined : explain(new Error(nameCheck.error.issues[0]?.message ?? ""));
  const allowlist = parseAllowlist(draft.ips);
  const descriptionChars = [...draft.description.trim()].length;
  const rate = parseRateLimitText(draft.rateLimit);
  const expiryChanged = draft.never !== original.never || (!draft.never && draft.date !== original.date);
  const expiryError = (() => {
    if (!expiryChanged || draft.never) return undefined;
    if (!draft.date) return "Pick the last day the token works, or tick Never expires.";
    if (endOfDay(draft.date) <= now) return "Pick today or a later day.";
    return undefined;
  })();
  const errors = {
    name: nameError,
    description: descriptionChars > DESCRIPTION_MAX ? `Keep the description to ${DESCRIPTION_MAX} characters or fewer.` : undefined,
    expiry: expiryError,
    ips: allowlist.error,
    rateLimit: rate.error,
  };
  const shown = (key: keyof typeof errors, field: Parameters<typeof isAbout>[1]) =>
    (checked ? errors[key] : undefined) ?? (isAbout(manage.saveError, field) ? explain(manage.saveError!) : undefined);
  const serverFormError =
    manage.saveError && !(["name", "description", "allowedIps", "expiresAt", "rateLimitPerMinute"] as const).some((f) => isAbout(manage.saveError, f))
      ? explain(manage.saveError, "save the changes")
      : undefined;

  async function save(event: FormEvent) {
    event.preventDefault();
    setChecked(true);
    setOutcome(null);
    if (Object.values(errors).some(Boolean)) return;
    const changes: Omit<UpdateTokenVariables, "id"> = {};
    const name = draft.name.trim();
    if (name !== token.name) changes.name = name;
    if (draft.description.trim() !== token.description) changes.description = draft.description.trim();
    if (expiryChanged) changes.expiresAt = draft.never ? 0 : endOfDay(draft.date);
    const sameIps = allowlist.entries.length === token.allowedIps.length && allowlist.entries.every((e, i) => e === token.allowedIps[i]);
    if (!sameIps) changes.allowedIps = allowlist.entries;
    if (rate.value !== undefined && rate.value !== token.rateLimitPerMinute) changes.rateLimitPerMinute = rate.value;
    if (Object.keys(changes).length === 0) {
      setDraft(original);
      setOutcome({ kind: "unchanged" });
      return;
    }
    const saved = await manage.save(changes);
    if (saved) {
      // Show what the server stored (normalised ranges, trimmed text).
      setDraft(draftOf(saved));
      setChecked(false);
      setOutcome({ kind: "saved" });
    }
  }

  const errorFor = {
    name: shown("name", "name"),
    description: shown("description", "description"),
    expiry: shown("expiry", "expiresAt"),
    ips: shown("ips", "allowedIps"),
    rateLimit: shown("rateLimit", "rateLimitPerMinute"),
  };

  return (
    <form onSubmit={save} noValidate className="space-y-4 border-t border-zinc-200 pt-5 dark:border-zinc-800" aria-label="Edit">
      <h3 className="text-sm font-semibold">Edit</h3>
      {serverFormError && <ErrorNote>{serverFormError}</ErrorNote>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Token name" error={errorFor.name} aside={`${[...draft.name.trim()].length}/${NAME_MAX_CHARS}`}>
          {(control) => (
            <input {...control} value={draft.name} onChange={(e) => set({ name: e.target.value })} className={inputClass(Boolean(errorFor.name))} autoComplete="off" spellCheck={false} />
          )}
        </Field>
        <div className="space-y-2">
          <Field
            label="Expires on"
            error={errorFor.expiry}
            help={draft.never ? "Never expires." : draft.date ? `Works until the end of ${formatDate(endOfDay(draft.date))}.` : undefined}
          >
            {(control) => (
              <input
                {...control}
                type="date"
                disabled={draft.never}
                value={draft.never ? "" : draft.date}
                onChange={(e) => set({ date: e.target.value })}
                className={inputClass(Boolean(errorFor.expiry))}
              />
            )}
          </Field>
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={draft.never}
              onChange={(e) =>
                set({ never: e.target.checked, date: !e.target.checked && !draft.date ? isoDay(now + 30 * DAY_MS) : draft.date })
              }
              className="h-4 w-4 accent-indigo-600"
            />
            Never expires
          </label>
        </div>
      </div>
      <Field label="Description" error={errorFor.description} aside={`${descriptionChars}/${DESCRIPTION_MAX}`}>
        {(control) => (
          <textarea {...control} rows={2} value={draft.description} onChange={(e) => set({ description: e.target.value })} className={inputClass(Boolean(errorFor.description))} />
        )}
      </Field>
      <Field label="Allowed IP addresses" help={ALLOWLIST_HELP} error={errorFor.ips}>
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={draft.ips}
            onChange={(e) => set({ ips: e.target.value })}
            placeholder={"203.0.113.0/24\n2001:db8::/32"}
            className={`${inputClass(Boolean(errorFor.ips))} font-mono`}
            spellCheck={false}
          />
        )}
      </Field>
      <RateLimitField value={draft.rateLimit} onChange={(rateLimit) => set({ rateLimit })} error={errorFor.rateLimit} />
      <div className="flex flex-col-reverse items-stretch gap-3 sm:flex-row sm:items-center sm:justify-end">
        <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
          {outcome?.kind === "saved" && <span className="text-emerald-700 dark:text-emerald-400">Saved.</span>}
          {outcome?.kind === "unchanged" && "Nothing to save: you haven’t changed anything."}
        </p>
        <Button type="submit" variant="primary" disabled={manage.saving}>
          {manage.saving ? "Saving…" : "Save changes"}
        </Button>
      </div>
    </form>
  );
}
