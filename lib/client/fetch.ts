/**
 * Browser-side calls to the panel's JSON endpoints. Every call announces
 * itself as XHR so an expired session answers 401 (not the scanner-facing 404),
 * and every failure becomes an ApiError carrying the server's own message.
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

export async function callApi<T>(path: string, { method = "GET", body, csrfToken, signal }: CallOptions = {}): Promise<T> {
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
