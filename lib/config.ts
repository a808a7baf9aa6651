import "server-only";
import { z } from "zod";
import { databaseSettings } from "@/db/settings";
import { compileTrustedProxies, type TrustedProxies } from "@/lib/http/client-ip";
import { logLevelSetting, type LogLevel } from "@/lib/log";
import { normalizeAllowedIp } from "@/lib/tokens/ip-allowlist";

/** Names for common sets of proxies, usable in `TRUST_PROXY` next to addresses. */
const PROXY_WORDS = new Map<string, readonly string[]>([["loopback", ["127.0.0.0/8", "::1/128"]]]);

/**
 * `TRUST_PROXY`: the reverse proxies' addresses or CIDR ranges, separated by
 * commas or spaces (`127.0.0.1, 10.0.0.0/8, ::1`, `loopback`). Only a request
 * whose TCP peer is one of them may set the client IP and scheme through
 * `X-Forwarded-*`. Unset, empty, `false` or `0`: trust nobody.
 */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((v = "", ctx): TrustedProxies | null => {
    const lower = v.toLowerCase();
    if (!lower || lower === "false" || /^0+$/.test(lower)) return null;
    // The old hop count believed whoever connected; reading it any other way now would be a guess.
    if (lower === "true" || /^\d+$/.test(lower)) {
      ctx.addIssue({
        code: "custom",
        message:
          "TRUST_PROXY must list the proxies' addresses or CIDR ranges (e.g. 127.0.0.1 or 10.0.0.0/8); " +
          `the hop-count form ${JSON.stringify(v)} is no longer accepted: name the proxy's address instead`,
      });
      return z.NEVER;
    }
    const ranges: string[] = [];
    for (const entry of v.split(/[\s,]+/).filter(Boolean)) {
      const cidr = PROXY_WORDS.get(entry.toLowerCase()) ?? normalizeAllowedIp(entry);
      if (typeof cidr === "string") ranges.push(cidr);
      else if (cidr) ranges.push(...cidr);
      else
        ctx.addIssue({
          code: "custom",
          message: `TRUST_PROXY entry ${JSON.stringify(entry)} is not an IPv4/IPv6 address, a CIDR range (e.g. 10.0.0.0/8) or "loopback"`,
        });
    }
    return compileTrustedProxies(ranges);
  });

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .transform((v, ctx) => {
    if (!v || v === "false" || v === "0") return false;
    if (v === "true" || v === "1") return true;
    ctx.addIssue({ code: "custom", message: "must be true or false" });
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

/**
 * `PANEL_ORIGIN`: the address(es) people open the panel at, comma-separated
 * (`https://panel.example.com, https://10.0.0.5.nip.io:2053`). WebAuthn checks
 * the browser's origin against this list. Unset: `http://localhost:<PORT>`.
 */
const panelOrigins = z
  .string()
  .trim()
  .optional()
  .transform((v = "", ctx): string[] => {
    const origins: string[] = [];
    for (const entry of v.split(",").map((e) => e.trim()).filter(Boolean)) {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== entry.replace(/\/$/, "")) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(entry)} is not an origin like https://panel.example.com or http://localhost:2053` });
        continue;
      }
      origins.push(url.origin);
    }
    return origins;
  });

/** `PANEL_RP_ID`: the WebAuthn relying party id, a domain name (never an IP address: browsers refuse those). */
const rpId = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .refine((v) => !v || (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(v) && !/^[\d.]+$/.test(v)), {
    message: "must be a domain name such as panel.example.com or localhost (browsers refuse IP addresses as a WebAuthn RP ID)",
  });

// DATABASE_URL and DATABASE_AUTH_TOKEN: db/settings.ts (db/ reads them itself).
const envSchema = z.object({
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
  /** Webhooks may send to loopback, private and link-local addresses (a receiver on this host or the LAN). */
  WEBHOOK_ALLOW_PRIVATE: flag,
  /** A failed webhook delivery is tried again after this long, four times longer after each failure. */
  WEBHOOK_RETRY_SECONDS: positiveInt(30),
  /** Checked here so a typo stops the server at start instead of silently logging at `info`. */
  LOG_LEVEL: logLevelSetting,
  PANEL_ORIGIN: panelOrigins,
  PANEL_RP_ID: rpId,
  PORT: z.string().trim().optional(),
});

/** Where passkeys are valid (lib/passkeys/). */
export interface WebAuthnConfig {
  /** The relying party id: a domain every origin below is on (or equals). */
  rpId: string;
  /** Origins a ceremony may come from. */
  origins: string[];
  /** Shown by the browser's passkey prompt. */
  rpName: string;
}

/**
 * Origins from PANEL_ORIGIN (else `http://localhost:<PORT>`); the RP ID from
 * PANEL_RP_ID, else the first origin's host name.
 */
function webauthnConfig(origins: string[], rpIdSetting: string | undefined, port: string | undefined): WebAuthnConfig {
  const list = origins.length > 0 ? origins : [`http://localhost:${port || 2053}`];
  const id = rpIdSetting || new URL(list[0]!).hostname;
  const outside = list.filter((o) => {
    const host = new URL(o).hostname;
    return host !== id && !host.endsWith(`.${id}`);
  });
  if (outside.length > 0) {
    throw new Error(`invalid configuration:\n  PANEL_ORIGIN: ${outside.join(", ")} is not on the RP ID ${id} (PANEL_RP_ID)`);
  }
  return { rpId: id, origins: list, rpName: "xui-panel" };
}

export interface ServerConfig {
  databaseUrl: string;
  databaseAuthToken?: string;
  /** Null: no proxy is trusted, the client is the TCP peer. */
  trustProxy: TrustedProxies | null;
  sessionIdleMs: number;
  sessionMaxMs: number;
  loginMaxFailures: number;
  loginMaxFailuresPerIp: number;
  loginWindowMs: number;
  auditRetention: number;
  bearerMaxFailuresPerMinute: number;
  logLevel: LogLevel;
  webauthn: WebAuthnConfig;
  webhookAllowPrivate: boolean;
  webhookRetryMs: number;
}

let cached: ServerConfig | undefined;

/** Reads the environment once; a bad value stops the server with a clear message. */
export function serverConfig(): ServerConfig {
  cached ??= readServerConfig(process.env);
  return cached;
}

/** The configuration `env` describes; throws, listing every bad setting, if it is invalid. */
export function readServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const settings = parsed.data;
  const database = databaseSettings(env);
  return {
    databaseUrl: database.url,
    databaseAuthToken: database.authToken,
    trustProxy: settings.TRUST_PROXY,
    sessionIdleMs: settings.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: settings.SESSION_MAX_HOURS * 3_600_000,
    loginMaxFailures: settings.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerIp: settings.LOGIN_MAX_FAILURES_PER_IP,
    loginWindowMs: settings.LOGIN_WINDOW_MINUTES * 60_000,
    auditRetention: settings.AUDIT_RETENTION,
    bearerMaxFailuresPerMinute: settings.BEARER_MAX_FAILURES_PER_MINUTE,
    logLevel: settings.LOG_LEVEL,
    webauthn: webauthnConfig(settings.PANEL_ORIGIN, settings.PANEL_RP_ID, settings.PORT),
    webhookAllowPrivate: settings.WEBHOOK_ALLOW_PRIVATE,
    webhookRetryMs: settings.WEBHOOK_RETRY_SECONDS * 1000,
  };
}
