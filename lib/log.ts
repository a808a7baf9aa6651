/**
 * Minimal structured logging: one JSON line per event on stdout/stderr.
 * Callers pass fields explicitly; nothing here serialises requests, headers or
 * bodies, so credentials cannot slip in by accident.
 */
function write(stream: NodeJS.WriteStream, level: string, msg: string, fields: Record<string, unknown>): void {
  stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}

export function logInfo(msg: string, fields: Record<string, unknown> = {}): void {
  write(process.stdout, "info", msg, fields);
}

export function logWarn(msg: string, fields: Record<string, unknown> = {}): void {
  write(process.stderr, "warn", msg, fields);
}

/**
 * Logs an unexpected error by name, message and stack. Drizzle puts bound
 * parameters into its error text ("params: …"); they are cut off here.
 */
export function logError(msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const strip = (s: string | undefined) => s?.split(/\nparams:/)[0];
  write(process.stderr, "error", msg, {
    ...fields,
    error: { name: err.name, message: strip(err.message), cause: strip(cause?.message), stack: strip(err.stack) },
  });
}
