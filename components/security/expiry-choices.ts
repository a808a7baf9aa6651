import { endOfDay, isoDay } from "@/lib/client/format";
import { DAY_MS, latestExpiry, type TokenPolicy } from "@/lib/tokens/policy-rules";

/** Expiry presets of the create and rotate forms; "custom" is the last day the token works. */
export const EXPIRY_CHOICES = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "Never" },
  { value: "custom", label: "On a date…" },
] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number]["value"];

/** Unix ms (0 = never) for a choice made at `at`; NaN when a custom date is missing. */
export function expiryFrom(choice: ExpiryChoice, date: string, at: number): number {
  if (choice === "never") return 0;
  if (choice === "custom") return date ? endOfDay(date) : NaN;
  return at + Number(choice) * DAY_MS;
}


/** The presets a token policy allows: none beyond its maximum lifetime, no "never" under one. */
export function allowedExpiryChoices(policy: TokenPolicy, choices: readonly { value: ExpiryChoice; label: string }[] = EXPIRY_CHOICES) {
  if (policy.maxLifetimeDays === 0) return choices;
  return choices.filter((c) => c.value === "custom" || (c.value !== "never" && Number(c.value) <= policy.maxLifetimeDays));
}

/** The last day a custom expiry may name under the policy (its end must be within the cap); null = any. */
export function latestExpiryDay(policy: TokenPolicy, now: number): string | null {
  const latest = latestExpiry(policy, now);
  if (latest === null) return null;
  const day = isoDay(latest);
  return endOfDay(day) <= latest ? day : isoDay(latest - DAY_MS);
}

/**
 * Where the create form starts: the policy's default expiry (a preset when one
 * matches, else that date), else 30 days, or the longest preset within the cap.
 */
export function initialExpiry(policy: TokenPolicy, now: number): { choice: ExpiryChoice; date: string } {
  const days = policy.defaultExpiryDays || 30;
  const preset = EXPIRY_CHOICES.find((c) => c.value === String(days));
  const allowed = allowedExpiryChoices(policy);
  if (preset && allowed.includes(preset)) return { choice: preset.value, date: "" };
  // A whole day past the default may pass the cap when the default is the cap: the last day allowed then.
  const last = latestExpiryDay(policy, now);
  if (policy.defaultExpiryDays) {
    const day = isoDay(now + days * DAY_MS);
    return { choice: "custom", date: last !== null && day > last ? last : day };
  }
  const longest = allowed.filter((c) => c.value !== "custom").at(-1);
  return longest ? { choice: longest.value, date: "" } : { choice: "custom", date: last ?? "" };
}
