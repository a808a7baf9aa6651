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

/** Those keys at the top level, one level down, and under `headers` at either level. */
export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
  return [k.slice(k.startsWith(".") ? 1 : 0), `*${k}`, `headers${k}`, `*.headers${k}`];
});

export const REDACTED = "[redacted]";

/** A logger with the panel's settings; tests pass their own destination. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const stream =
    destination ??
    pino.multistream(
      [
        // Synchronous writes: a line is out before the process can die, and in order.
        { level: "trace", stream: pino.destination({ dest: 1, sync: true }) },
        { level: "warn", stream: pino.destination({ dest: 2, sync: true }) },
      ],
      { dedupe: true },
    );
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: readable without pino's tooling.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    stream,
  );
}

interface LogGlobal {
  logger?: Logger;
}
// Next bundles route handlers and instrumentation separately; one logger per process.
const store = ((globalThis as Record<symbol, LogGlobal>)[Symbol.for("xui-panel.log")] ??= {});

export function logger(): Logger {
  // An invalid LOG_LEVEL has already stopped the server (lib/config.ts); elsewhere fall back.
  store.logger ??= createLogger(logLevelSetting.safeParse(process.env.LOG_LEVEL).data ?? "info");
  return store.logger;
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
