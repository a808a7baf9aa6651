import { z } from "zod";
import { logLevelSetting, type LogLevel } from "@/lib/log";

/**
 * `TRUST_PROXY`: how many reverse proxies sit in front of the panel. `0`/unset
 * means none: the client IP is the socket address and `X-Forwarded-*` headers
 * are ignored (anyone can send them). `true` means one.
 */
const trustProxy = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .transform((v, ctx) => {
    if (!v || v === "false" || v === "0") return 0;
    if (v === "true") return 1;
    const n = Number(v);
    if (Number.isInteger(n) && n > 0 && n <= 10) return n;
    ctx.addIssue({ code: "custom", message: "TRUST_PROXY must be a number of hops (0-10), true or false" });
    return z.NEVER;
  });

const positiveInt = (fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return fallback;
      const n = Number(v);
      if (Number.isInteger(n) && n > 0) return n;
      ctx.addIssue({ code: "custom", message: "must be a positive integer" });
      return z.NEVER;
    });

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || "file:data/panel.db"),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  TRUST_PROXY: trustProxy,
  /** A session ends after this long without a request. */
  SESSION_IDLE_MINUTES: positiveInt(8 * 60),
  /** A session ends this long after login whatever its activity. */
  SESSION_MAX_HOURS: positiveInt(7 * 24),
  /** Failed logins allowed per IP + username in one window. */
  LOGIN_MAX_FAILURES: positiveInt(5),
  /** Failed logins allowed per IP (any username) in one window. */
  LOGIN_MAX_FAILURES_PER_IP: positiveInt(30),
  LOGIN_WINDOW_MINUTES: positiveInt(15),
  /** Failed bearer attempts per IP per minute before that IP gets 429 for a minute. */
  BEARER_MAX_FAILURES_PER_MINUTE: positiveInt(20),
  /** Audit rows kept (the newest). */
  AUDIT_RETENTION: positiveInt(100_000),
  /** Checked here so a typo stops the server at start instead of silently logging at `info`. */
  LOG_LEVEL: logLevelSetting,
});

export interface ServerConfig {
  databaseUrl: string;
  databaseAuthToken?: string;
  trustProxyHops: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginMaxFailures: number;
  loginMaxFailuresPerIp: number;
  loginWindowMs: number;
  auditRetention: number;
  bearerMaxFailuresPerMinute: number;
  logLevel: LogLevel;
}

let cached: ServerConfig | undefined;

/** Reads the environment once; a bad value stops the server with a clear message. */
export function serverConfig(): ServerConfig {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  cached = {
    databaseUrl: env.DATABASE_URL,
    databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
    trustProxyHops: env.TRUST_PROXY,
    sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: env.SESSION_MAX_HOURS * 3_600_000,
    loginMaxFailures: env.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerIp: env.LOGIN_MAX_FAILURES_PER_IP,
    loginWindowMs: env.LOGIN_WINDOW_MINUTES * 60_000,
    auditRetention: env.AUDIT_RETENTION,
    bearerMaxFailuresPerMinute: env.BEARER_MAX_FAILURES_PER_MINUTE,
    logLevel: env.LOG_LEVEL,
  };
  return cached;
}
