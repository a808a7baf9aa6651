/** Class lists shared by form controls, so every field looks and focuses the same. */
export const INPUT =
  "block w-full rounded-lg border bg-white px-3 py-2 text-sm shadow-sm outline-none transition focus:ring-2 disabled:opacity-50 dark:bg-zinc-950";
export const INPUT_OK = "border-zinc-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-zinc-700";
export const INPUT_BAD = "border-red-500 focus:border-red-500 focus:ring-red-500/30";

export function inputClass(invalid = false): string {
  return `${INPUT} ${invalid ? INPUT_BAD : INPUT_OK}`;
}
