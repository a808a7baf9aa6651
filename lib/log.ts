import pino, { type DestinationStream, type Logger } from "pino";
import { z } from "zod";

/**
 * Structured logs: one JSON object per line (pino), info and below on stdout,
 * warn and above on stderr, level from `LOG_LEVEL` (default `info`).
 *
 * Secrets stay out by construction: callers pass explicit, named fields and
 * nothing here takes a request, its headers or its body. The `redact` paths
 * are a second line of defence for the day someone passes an object anyway.
 */

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `LOG_LEVEL`, case-insensitive; lib/config.ts uses it too, so a bad value stops the server at start. */
export const logLevelSetting = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .transform((v) => v || "info")
  .pipe(z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}` }));

const SECRET_KEYS = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-csrf-token",
  "csrf",
  "password",
  "oldPassword",
  "newPassword",
  "passwordHash",
  "token",
  "tokenHash",
  "plaintext",
  "secret",
  "sessionId",
  "sessionHash",
];

/**
 * Where a careless caller could put a credential: the top level and the usual
 * containers. Static paths only: pino's wildcard paths (`*.x`) walk every
 * object on every line and cost a measurable share of a request (bench/).
 */
const CONTAINERS = ["", "headers", "req", "req.headers", "request", "request.headers", "res.headers", "response.headers", "body", "query", "params", "actor", "error", "detail"];
export const REDACT_PATHS = CONTAINERS.flatMap((container) =>
  SECRET_KEYS.map((key) => {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
    return container ? `${container}${k}` : k.replace(/^\./, "");
  }),
);

export const REDACTED = "[redacted]";

interface LogGlobal {
  logger?: Logger;
  requestLogger?: Logger;
  stdout?: ReturnType<typeof pino.destination>;
}
// Next bundles route handlers and instrumentation separately: one set of loggers
// and one stdout buffer per process, so flushLogs() reaches every batched line.
const store = ((globalThis as Record<symbol, LogGlobal>)[Symbol.for("xui-panel.log")] ??= {});

/**
 * stdout (request lines) is written asynchronously and in batches: lines
 * collect in memory until 4 KiB are waiting or 200 ms have passed, then go out
 * in one write. A write per request line was the largest cost of an
 * authenticated API request after Next.js itself (a blocking one a tenth of
 * its CPU time, an asynchronous one still ~6 %; bench/README.md). Lines keep
 * their order, and flushLogs() writes what is left at shutdown; a `kill -9`
 * can lose the last 200 ms of request lines, never a change (those are in the
 * database and its audit log). stderr (warnings, errors) stays synchronous, so
 * a line explaining a crash is out before the process dies.
 */
function stdout(): DestinationStream & { flushSync(): void } {
  if (!store.stdout) {
    // pino flushes this destination on any exit, process.exit() from a timeout included.
    store.stdout = pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 200 });
  }
  return store.stdout;
}

/** Writes out queued log lines; the server calls it before exiting. */
export function flushLogs(): void {
  try {
    store.stdout?.flushSync();
  } catch {
    // nothing queued, or stdout already closed
  }
}

/** The formatted second isoTimeField() last used. */
const clock = { second: Number.NaN, prefix: "" };

/**
 * pino's `isoTime`, cheaper: the `"time"` field as ISO 8601 UTC with
 * milliseconds, the date and time of day formatted once per second. Inside
 * Next.js `new Date()` goes through its clock-tracking wrapper, and
 * formatting a full date for every request line was a visible share of the
 * line's cost (bench/README.md).
 */
export function isoTimeField(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== clock.second) {
    clock.second = second;
    // "2026-11-28T10:55:12." from "2026-11-28T10:55:12.000Z"
    clock.prefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${clock.prefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z"`;
}

/**
 * A logger with the panel's settings; tests pass their own destination.
 * `redact: false` is for the request log only, whose lines are built from
 * named fields alone (lib/api/access-log.ts): checking ~200 redact paths on
 * every request line cost more than writing it.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream, options: { redact?: boolean } = {}): Logger {
  const stream =
    destination ??
    pino.multistream(
      [
        { level: "trace", stream: stdout() },
        { level: "warn", stream: pino.destination({ dest: 2, sync: true }) },
      ],
      { dedupe: true },
    );
  return pino(
    {
      level,
      timestamp: () => isoTimeField(),
      // "level":"info" rather than 30: readable without pino's tooling.
      formatters: { level: (label) => ({ level: label }) },
      ...(options.redact === false ? {} : { redact: { paths: REDACT_PATHS, censor: REDACTED } }),
    },
    stream,
  );
}

// An invalid LOG_LEVEL has already stopped the server (lib/config.ts); elsewhere fall back.
const configuredLevel = () => logLevelSetting.safeParse(process.env.LOG_LEVEL).data ?? "info";

export function logger(): Logger {
  store.logger ??= createLogger(configuredLevel());
  return store.logger;
}

/** The one-line-per-request logger (same streams, no redact pass: see createLogger). */
export function requestLogger(): Logger {
  store.requestLogger ??= createLogger(configuredLevel(), undefined, { redact: false });
  return store.requestLogger;
}

export function logInfo(msg: string, fields: Record<string, unknown> = {}): void {
  logger().info(fields, msg);
}

export function logWarn(msg: string, fields: Record<string, unknown> = {}): void {
  logger().warn(fields, msg);
}

/**
 * Logs an unexpected error by name, message and stack. Drizzle puts bound
 * parameters into its error text ("params: …"); they are cut off here.
 */
export function logError(msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const strip = (s: string | undefined) => s?.split(/\nparams:/)[0];
  logger().error(
    { ...fields, error: { name: err.name, message: strip(err.message), cause: strip(cause?.message), stack: strip(err.stack) } },
    msg,
  );
}
