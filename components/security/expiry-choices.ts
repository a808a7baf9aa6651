import { endOfDay } from "@/lib/client/format";

const DAY_MS = 86_400_000;

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

