import http from "node:http";

export interface Envelope<T = unknown> {
  success: boolean;
  msg?: string;
  obj?: T;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body, or undefined if it was not JSON. */
  json: Envelope<T> | undefined;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A string or bytes are sent as is; anything else as JSON. */
  body?: unknown;
  /**
   * Connect from this local address (e.g. 127.0.0.2): the server sees it as the
   * client's socket address, so tests can act as several machines.
   */
  localAddress?: string;
  /** Reuse connections (a keep-alive agent); by default every request opens its own. */
  agent?: http.Agent;
}

/** Something that wants to see every response (the secrets test scans them all). */
export type ResponseObserver = (response: ApiResponse, path: string) => void;
const observers = new Set<ResponseObserver>();

/** Calls `observer` with every response `request()` receives until the returned function is called. */
export function observeResponses(observer: ResponseObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export async function request<T = unknown>(baseUrl: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | Uint8Array | undefined;
  if (typeof opts.body === "string" || opts.body instanceof Uint8Array) body = opts.body;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  // node:http frames a GET/DELETE/OPTIONS body only with an explicit length (else the body would read as a second request).
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  const url = new URL(baseUrl + path);
  const res = await new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? (body === undefined ? "GET" : "POST"), headers, localAddress: opts.localAddress, agent: opts.agent ?? false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (c: Buffer) => chunks.push(c));
        incoming.on("end", () => {
          const h = new Headers();
          for (let i = 0; i < incoming.rawHeaders.length; i += 2) h.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
          resolve({ status: incoming.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString("utf8") });
        });
        incoming.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
  const text = res.text;
  let json: Envelope<T> | undefined;
  try {
    json = JSON.parse(text) as Envelope<T>;
  } catch {
    json = undefined;
  }
  const response = { status: res.status, headers: res.headers, text, json };
  for (const observer of observers) observer(response, path);
  return response;
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * A browser-like session: keeps the session cookie, fetches the CSRF token and
 * sends it on unsafe requests, as the panel's own pages do.
 */
export class BrowserSession {
  cookie: string | undefined;
  csrf: string | undefined;
  constructor(
    readonly baseUrl: string,
    readonly localAddress?: string,
  ) {}

  async send<T = unknown>(path: string, opts: RequestOptions & { csrf?: boolean } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = `3x-ui=${this.cookie}`;
    const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
    if (method !== "GET" && opts.csrf !== false && this.csrf) headers["x-csrf-token"] = this.csrf;
    const res = await request<T>(this.baseUrl, path, { ...opts, method, headers, localAddress: opts.localAddress ?? this.localAddress });
    this.absorbCookie(res.headers);
    return res;
  }

  absorbCookie(headers: Headers): void {
    for (const c of headers.getSetCookie()) {
      const m = /^3x-ui=([^;]*)/.exec(c);
      if (m) this.cookie = m[1] || undefined;
    }
  }

  async refreshCsrf(): Promise<string> {
    const res = await this.send<string>("/csrf-token");
    this.csrf = res.json!.obj!;
    return this.csrf;
  }

  async login(username: string, password: string): Promise<ApiResponse> {
    await this.refreshCsrf();
    const res = await this.send("/login", { body: { username, password } });
    if (res.json?.success) await this.refreshCsrf();
    return res;
  }
}
