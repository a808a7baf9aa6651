"use client";

import { Field } from "@/components/ui/field";
import { inputClass } from "@/components/ui/styles";

/** The per-token request limit, as the create and edit forms ask for it: blank = no limit. */
export function RateLimitField({ value, onChange, error }: { value: string; onChange(value: string): void; error?: string }) {
  return (
    <Field
      label="Rate limit (requests per minute)"
      help="Counted across every panel instance; beyond it the token gets 429 until the minute is over. Empty = no limit."
      error={error}
    >
      {(control) => (
        <input
          {...control}
          inputMode="numeric"
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder="No limit"
          className={`${inputClass(Boolean(error))} sm:max-w-48`}
        />
      )}
    </Field>
  );
}
