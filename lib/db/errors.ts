/**
 * True when `error` (or anything in its `cause` chain: Drizzle wraps driver
 * errors) is a UNIQUE violation on `table.column`. Embedded and remote libSQL
 * both report it as "UNIQUE constraint failed: table.column".
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.message.includes("UNIQUE constraint failed") && e.message.includes(column)) return true;
  }
  return false;
}
