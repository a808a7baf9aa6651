import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from "axios";

/**
 * The npm package `3xui-api-client` (3.2.1, CommonJS, axios), loaded as a bot
 * would load it. Its index.d.ts has no `_request` and no token-mode
 * constructor docs, so the part the tests use is typed here.
 */
export interface XuiEnvelope<T = unknown> {
  success: boolean;
  msg: string;
  obj: T;
}

export interface XuiClient {
  cookie: string | null;
  csrfToken: string | null;
  /** "auto" until the first login tells /panel/api/login ("modern") from /login ("legacy") panels. */
  panelType: "auto" | "modern" | "legacy";
  api: AxiosInstance;
  sessionManager: { store: { cache: Map<string, unknown>; timers: Map<string, NodeJS.Timeout> } };
  login(forceRefresh?: boolean): Promise<{
    success: boolean;
    fromCache?: boolean;
    cookie?: string;
    headers?: Record<string, string | string[]>;
    data?: unknown;
    message?: string;
  }>;
  logout(): Promise<void>;
  getServerStatus(): Promise<XuiEnvelope<Record<string, unknown>>>;
  getTwoFactorEnable(): Promise<XuiEnvelope<boolean>>;
  /** The package's generic call: resolves to the whole envelope, also when `success` is false. */
  _request<T = unknown>(method: string, path: string, data?: unknown): Promise<XuiEnvelope<T>>;
}

interface XuiClientConstructor {
  new (baseUrl: string, username: string, password: string, options?: Record<string, unknown>): XuiClient;
  new (baseUrl: string, options: Record<string, unknown>): XuiClient;
}

const requireCjs = createRequire(__filename);
export const ThreeXUI = requireCjs("3xui-api-client") as XuiClientConstructor;
/** The installed version (its `exports` map hides package.json from require). */
export const XUI_CLIENT_VERSION = (
  JSON.parse(readFileSync(path.join(path.dirname(requireCjs.resolve("3xui-api-client")), "package.json"), "utf8")) as { version: string }
).version;

/** One exchange as the client's axios instance saw it. */
export interface Exchange {
  method: string;
  path: string;
  status: number | undefined;
  requestHeaders: Record<string, unknown>;
  requestBody: unknown;
  setCookie: string[];
  data: unknown;
}

/**
 * Records every exchange of `client` (observation only: responses and errors
 * pass through unchanged, nothing is stubbed). Returns the live list.
 */
export function recordTraffic(client: XuiClient): Exchange[] {
  const log: Exchange[] = [];
  const note = (config: InternalAxiosRequestConfig | undefined, response: AxiosResponse | undefined) => {
    const setCookie = response?.headers["set-cookie"];
    log.push({
      method: (config?.method ?? "?").toUpperCase(),
      path: config?.url ?? "?",
      status: response?.status,
      requestHeaders: { ...(config?.headers ?? {}) },
      requestBody: config?.data,
      setCookie: Array.isArray(setCookie) ? setCookie : setCookie ? [String(setCookie)] : [],
      data: response?.data,
    });
  };
  client.api.interceptors.response.use(
    (response) => {
      note(response.config, response);
      return response;
    },
    (error: AxiosError) => {
      note(error.config, error.response);
      throw error;
    },
  );
  return log;
}

/** `METHOD path status` per exchange, for readable sequence assertions. */
export const summary = (log: Exchange[]) => log.map((e) => `${e.method} ${e.path} ${e.status}`);

/** What a rejected client call surfaced: the message, and the HTTP answer behind it if any. */
export async function rejection(promise: Promise<unknown>): Promise<{ message: string; status?: number; data?: unknown; causeStatus?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { message: string; response?: { status: number; data: unknown }; cause?: { response?: { status: number } } };
    return { message: e.message, status: e.response?.status, data: e.response?.data, causeStatus: e.cause?.response?.status };
  }
  throw new Error("expected the client call to reject, but it resolved");
}
