import { DatabaseUnavailableError } from "@/lib/errors";

/** The error and its `cause` chain (Drizzle wraps driver errors, libSQL wraps socket errors). */
function* causes(error: unknown): Generator<Error> {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) yield e;
}

/**
 * True when `error` (or anything in its `cause` chain: Drizzle wraps driver
 * errors) is a UNIQUE violation on `table.column`. Embedded and remote libSQL
 * both report it as "UNIQUE constraint failed: table.column".
 */
export function isUniqueViolation(error: unknown, column: string): boolean {
  for (const e of causes(error)) {
    if (e.message.includes("UNIQUE constraint failed") && e.message.includes(column)) return true;
  }
  return false;
}

/** Socket and undici codes that mean the server could not be reached or went away mid-request. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
/** libSQL client codes for a lost connection: the WebSocket failed or was closed by the server. */
const LIBSQL_CODES = new Set(["HRANA_WEBSOCKET_ERROR", "HRANA_CLOSED_ERROR"]);
/** HTTP statuses from a libSQL server (or a proxy in front of it) that mean "not now", not "wrong query". */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/**
 * True when `error` means the database is unreachable (answer 503, try again
 * later) rather than that a statement failed: connection refused or reset,
 * `fetch failed`, a timed-out request, a libSQL server answering 502/503/504.
 * An embedded SQLITE_BUSY after the busy timeout is not this: the database is
 * there, another writer held the lock too long.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e instanceof DatabaseUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK_CODES.has(code) || LIBSQL_CODES.has(code))) return true;
    const status = (e as { status?: unknown }).status;
    if (e.name === "HttpServerError" && typeof status === "number" && UNAVAILABLE_STATUSES.has(status)) return true;
    // AbortSignal.timeout() (db/client.ts) and undici's own "fetch failed" (its cause may carry no code).
    if (e.name === "TimeoutError" || (e instanceof TypeError && e.message === "fetch failed")) return true;
  }
  return false;
}
