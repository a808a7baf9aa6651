import { REAUTH_HEADER } from "@/lib/auth/reauth-words";

/**
 * Browser-side calls to the panel's JSON endpoints. Every call announces
 * itself as XHR so an expired session answers 401 (not the scanner-facing 404),
 * and every failure becomes an ApiError carrying the server's own message.
 * A change that needs a fresh confirmation (403 + X-Reauth-Required) asks the
 * page's "confirm it's you" prompt and, once confirmed, is sent once more.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface Envelope<T> {
  success: boolean;
  msg?: string;
  obj?: T;
}

export interface CallOptions {
  method?: "GET" | "POST";
  body?: unknown;
  csrfToken?: string;
  signal?: AbortSignal;
}

/** Resolves true once the person confirmed who they are, false if they closed the prompt. */
type ReauthPrompt = () => Promise<boolean>;
let reauthPrompt: ReauthPrompt | null = null;

/** The panel's prompt (components/reauth-prompt.tsx) registers itself here while mounted. */
export function setReauthPrompt(prompt: ReauthPrompt | null): void {
  reauthPrompt = prompt;
}

export const REAUTH_CANCELLED = "Nothing was changed: this needs you to confirm it’s you first.";

export async function callApi<T>(path: string, options: CallOptions = {}): Promise<T> {
  const { method = "GET", body, csrfToken, signal } = options;
  const headers: Record<string, string> = { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken) headers["X-CSRF-Token"] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError("Cannot reach the panel. Check your connection and try again.", 0);
  }

  if (response.status === 401) throw new ApiError("Your session has ended. Sign in again.", 401);
  if (response.status === 403 && response.headers.get(REAUTH_HEADER) && reauthPrompt) {
    if (await reauthPrompt()) return callApi<T>(path, options);
    throw new ApiError(REAUTH_CANCELLED, 403);
  }
  if (response.status === 503) {
    throw new ApiError("The panel cannot reach its database right now. Nothing you saved is lost; try again in a few seconds.", 503);
  }
  let envelope: Envelope<T>;
  try {
    envelope = (await response.json()) as Envelope<T>;
  } catch {
    throw new ApiError(`The panel answered with an unexpected error (HTTP ${response.status}).`, response.status);
  }
  if (!envelope.success) {
    throw new ApiError(envelope.msg || `Request failed (HTTP ${response.status}).`, response.status);
  }
  return envelope.obj as T;
}
