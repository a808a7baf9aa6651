/** Units accepted by `--expires-in`, in milliseconds. */
const UNITS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const DURATION_HELP = "a whole number and a unit, e.g. 90m, 12h, 30d, 2w (units: s m h d w)";

/** `30d` → milliseconds; null for anything else (zero included: "expires in 0 days" is a mistake). */
export function parseDuration(text: string): number | null {
  const match = /^([0-9]{1,9})([smhdw])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  return ms > 0 ? ms : null;
}
