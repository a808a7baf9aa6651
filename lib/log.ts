import "server-only";
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
  "x-xui-cookie",
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
 * containers. Static paths: wildcard paths (`*.x`) walk every object of every line.
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
  streams?: { stdout: DestinationStream & { flushSync(): void }; stderr: DestinationStream };
}
const STDOUT_BATCH_BYTES = 4096;
const STDOUT_FLUSH_MS = 250;

// Next bundles route handlers and instrumentation separately: one pair of streams per process.
const store = ((globalThis as Record<symbol, LogGlobal>)[Symbol.for("xui-panel.log")] ??= {});

/**
 * stdout is written asynchronously and in batches: lines collect until 4 KiB
 * (about a dozen request lines) or 250 ms have passed, so a busy panel makes
 * one write for many requests instead of a thread-pool round trip for each,
 * which cost a request as much CPU as the rest of its logging. stderr (warn
 * and above) is synchronous, so a line explaining a crash is out before the
 * process dies. Whatever is still queued is written at exit.
 */
function streams() {
  if (!store.streams) {
    const stdout = pino.destination({ dest: 1, sync: false, minLength: STDOUT_BATCH_BYTES, periodicFlush: STDOUT_FLUSH_MS });
    store.streams = { stdout, stderr: pino.destination({ dest: 2, sync: true }) };
    process.once("exit", flushLogs);
  }
  return store.streams;
}

/** Writes out queued log lines; the server calls it before exiting. */
export function flushLogs(): void {
  try {
    store.streams?.stdout.flushSync();
  } catch {
    // nothing queued, or stdout already closed
  }
}

function panelStream(): DestinationStream {
  const { stdout, stderr } = streams();
  return pino.multistream(
    [
      { level: "trace", stream: stdout },
      { level: "warn", stream: stderr },
    ],
    { dedupe: true },
  );
}

/** The date and time up to the second, `2026-12-03T18:34:01.`, of the last line's second. */
const lastSecond = { second: NaN, text: "" };

/**
 * pino's `isoTime` (`,"time":"2026-12-03T18:34:01.123Z"`), with all but the
 * milliseconds formatted once a second: formatting a whole `Date` per line
 * costs about half of a request line (Next.js wraps `Date`).
 */
export function isoTimestamp(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== lastSecond.second) {
    lastSecond.second = second;
    lastSecond.text = new Date(second * 1000).toISOString().slice(0, 20);
  }
  return `,"time":"${lastSecond.text}${String(now - second * 1000).padStart(3, "0")}Z"`;
}

const OPTIONS = {
  timestamp: () => isoTimestamp(),
  // "level":"info" rather than 30: readable without pino's tooling.
  formatters: { level: (label: string) => ({ level: label }) },
};

/** A logger with the panel's settings; tests pass their own destination. */
export function createLogger(level: LogLevel, destination: DestinationStream = panelStream()): Logger {
  return pino({ ...OPTIONS, level, redact: { paths: REDACT_PATHS, censor: REDACTED } }, destination);
}

/**
 * The request log, one line per request (lib/api/access-log.ts), on the same
 * streams and in the same frame as every other line. Its fields are a fixed
 * set of named values that hold no credential, so it skips the redact pass,
 * which would cost every request more than the line itself.
 */
export function createRequestLogger(level: LogLevel, destination: DestinationStream = panelStream()): Logger {
  return pino({ ...OPTIONS, level }, destination);
}

// An invalid LOG_LEVEL has already stopped the server (lib/config.ts); elsewhere fall back.
const configuredLevel = () => logLevelSetting.safeParse(process.env.LOG_LEVEL).data ?? "info";

export function logger(): Logger {
  store.logger ??= createLogger(configuredLevel());
  return store.logger;
}

export function requestLogger(): Logger {
  store.requestLogger ??= createRequestLogger(configuredLevel());
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
