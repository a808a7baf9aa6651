import os from "node:os";
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
  requestLineWriter?: RequestLineWriter;
  stdout?: BatchedStdout;
  stderr?: ReturnType<typeof pino.destination>;
}
// Next bundles route handlers and instrumentation separately: one set of loggers
// and one stdout buffer per process, so flushLogs() reaches every batched line.
const store = ((globalThis as Record<symbol, LogGlobal>)[Symbol.for("xui-panel.log")] ??= {});

/**
 * Characters (≈ bytes: log lines are nearly all ASCII) and time a batch of
 * stdout lines waits for. A write costs 44 µs of CPU at 4 KiB and 61 µs at
 * 64 KiB (handing it to libuv's thread pool and the system call dominate):
 * per ~250-byte request line that is 2.4 µs at 4 KiB, 0.2 µs at 64 KiB.
 */
const BATCH_CHARS = 64 * 1024;
const BATCH_MS = 200;

/**
 * stdout (request lines) is written asynchronously and in batches: lines
 * collect in memory until 64 KiB are waiting or 200 ms have passed, then go out
 * in one write. A write per request line was the largest cost of an
 * authenticated API request after Next.js itself (a blocking one a tenth of
 * its CPU time, an asynchronous one still ~6 %; bench/README.md). Lines keep
 * their order, and flushLogs() writes what is left at shutdown, as does the
 * exit hook on any exit; a `kill -9` can lose the last 200 ms of request
 * lines, never a change (those are in the database and its audit log).
 * stderr (warnings, errors) stays synchronous, so a line explaining a crash
 * is out before the process dies.
 *
 * The batch is an array here rather than sonic-boom's own `minLength`
 * buffer: sonic-boom measures the UTF-8 length of its whole pending string on
 * every write, so each line re-read (and re-copied) everything queued before
 * it, ~10 µs of a bearer request (bench/README.md).
 *
 * Request lines wait as their fields, not as text (see `writeRequestLine`):
 * their JSON is made when the batch goes out, all lines of a batch in one
 * loop. Serialized in the request, between two stretches of Next.js code, the
 * same work cost several times as much (bench/README.md).
 */
class BatchedStdout implements RequestLineSink {
  /**
   * Triples, flat so that a line costs no object of its own: (level, time,
   * fields) for a request line, (null, 0, text) for a line that is text already.
   */
  private items: (string | number | LineFields | null)[] = [];
  private chars = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly dest = pino.destination({ dest: 1, sync: false });

  constructor() {
    // Every exit, process.exit() from a timeout included; flushLogs() swallows a closed stdout.
    process.once("exit", flushLogs);
  }

  write(line: string): boolean {
    this.items.push(null, 0, line);
    this.queued(line.length);
    return true;
  }

  /** Queues a request line; its text is built when the batch is written. */
  writeRequestLine(level: RequestLineLevel, time: number, fields: LineFields): void {
    this.items.push(level, time, fields);
    this.queued(REQUEST_LINE_CHARS);
  }

  private queued(chars: number): void {
    this.chars += chars;
    if (this.chars >= BATCH_CHARS) this.drain();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.drain(), BATCH_MS);
      this.timer.unref();
    }
  }

  /** Hands the batch to the destination (one asynchronous write). */
  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.chars = 0;
    let text = "";
    for (let i = 0; i < items.length; i += 3) {
      const line = items[i + 2] as string | LineFields;
      if (typeof line === "string") {
        text += line;
        continue;
      }
      const time = items[i + 1] as number;
      try {
        text += requestLineText(items[i] as RequestLineLevel, time, line.serialize());
      } catch {
        // Runs from a timer: one bad line must neither take the batch with it nor the process down.
        text += requestLineText("error", time, `"error":"request line could not be serialized"`);
      }
    }
    this.dest.write(text);
  }

  flushSync(): void {
    this.drain();
    this.dest.flushSync();
  }
}

function stdout(): BatchedStdout {
  store.stdout ??= new BatchedStdout();
  return store.stdout;
}

/** stderr, written synchronously (see above); one per process. */
function stderrDestination(): DestinationStream {
  store.stderr ??= pino.destination({ dest: 2, sync: true });
  return store.stderr;
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

/** A logger with the panel's settings; tests pass their own destination. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const stream =
    destination ??
    pino.multistream(
      [
        { level: "trace", stream: stdout() },
        { level: "warn", stream: stderrDestination() },
      ],
      { dedupe: true },
    );
  return pino(
    {
      level,
      timestamp: () => isoTimeField(),
      // "level":"info" rather than 30: readable without pino's tooling.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
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

export type RequestLineLevel = "debug" | "info" | "error";

/** A stream that takes a request line as its fields and serializes it later (BatchedStdout). */
export interface RequestLineSink {
  write(line: string): unknown;
  writeRequestLine(level: RequestLineLevel, time: number, fields: LineFields): void;
}

/** A request line's named fields, serialized as the inside of a JSON object (lib/api/access-log.ts). */
export interface LineFields {
  serialize(): string;
}

/**
 * Writes one request line: `fields` are named fields only, already
 * serialized or serialized on demand, which get pino's frame around them.
 */
export type RequestLineWriter = (level: RequestLineLevel, fields: string | LineFields, time?: number) => void;

/** What a request line takes in a batch, for the batch's size bound (they are ~250-350 characters). */
const REQUEST_LINE_CHARS = 300;

/** pino's numeric levels, so the request log filters exactly as the logger does; `silent` drops all. */
const levelValue = (level: LogLevel): number => (level === "silent" ? Infinity : pino.levels.values[level]!);

const ORIGIN = `,"pid":${process.pid},"hostname":${JSON.stringify(os.hostname())},`;

function requestLineText(level: RequestLineLevel, time: number, fields: string): string {
  return `{"level":"${level}"${isoTimeField(time)}${ORIGIN}${fields},"msg":"request"}\n`;
}

/**
 * The request log, one line per `/panel/api` request, in exactly the format of
 * the pino lines around it (`level`, `time`, `pid`, `hostname`, the fields,
 * `msg`) and on the same streams: info on the batched stdout, error on stderr.
 * Its lines are not run through pino: they are built from a fixed set of named
 * fields (lib/api/access-log.ts), so pino's generic walk over an object, its
 * redact pass and its multistream hop bought nothing, and they were the
 * largest single cost an authenticated request adds to the bare route
 * (bench/README.md). On the batched stdout an info line is serialized when
 * its batch goes out; error lines are written at once, as all of stderr is.
 * Tests pass their own streams.
 */
export function createRequestLineWriter(
  level: LogLevel,
  streams: { out: { write(line: string): unknown } | RequestLineSink; err: { write(line: string): unknown } } = {
    out: stdout(),
    err: stderrDestination(),
  },
): RequestLineWriter {
  const threshold = levelValue(level);
  const { out, err } = streams;
  // Asked by shape, not `instanceof`: Next.js bundles this module more than once, and the shared
  // stdout (see `store`) is an instance of whichever copy made it first.
  const sink = "writeRequestLine" in out ? out : null;
  return (lineLevel, fields, time = Date.now()) => {
    if (levelValue(lineLevel) < threshold) return;
    if (lineLevel !== "error" && sink && typeof fields !== "string") {
      sink.writeRequestLine(lineLevel, time, fields);
      return;
    }
    const text = requestLineText(lineLevel, time, typeof fields === "string" ? fields : fields.serialize());
    (lineLevel === "error" ? err : out).write(text);
  };
}

export function requestLineWriter(): RequestLineWriter {
  store.requestLineWriter ??= createRequestLineWriter(configuredLevel());
  return store.requestLineWriter;
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
