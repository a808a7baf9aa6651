/**
 * Typed failures, mapped to HTTP in exactly one place (lib/api/respond.ts).
 */

/** A rule of the domain was broken: HTTP 200, `success:false`, `msg` for humans (peer behaviour). */
export class DomainError extends Error {
  override readonly name = "DomainError";
}

/** A failure with its own HTTP status (401, 403, 404, 413, 429 …). */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The database cannot be reached (a libSQL server down or restarting, the
 * network to it gone, a request to it timed out): HTTP 503 with Retry-After.
 * Driver errors of that kind are recognised by isDatabaseUnavailable()
 * (lib/db/errors.ts); this class is for code that decides it itself.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
}
