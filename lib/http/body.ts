import { DomainError, HttpError } from "@/lib/errors";

export const MAX_BODY_BYTES = 64 * 1024;

export const BODY_MSG = {
  tooLarge: "request body is larger than 64 KiB",
  invalidJson: "request body must be valid JSON",
  notObject: "request body must be a JSON object",
} as const;

/** The body as text, refusing (413) past 64 KiB whether or not Content-Length says so. */
async function readLimitedText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, BODY_MSG.tooLarge);
  if (!request.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new HttpError(413, BODY_MSG.tooLarge);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError(BODY_MSG.invalidJson);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new DomainError(BODY_MSG.notObject);
  return parsed as Record<string, unknown>;
}

/**
 * Reads a JSON object body of at most 64 KiB. An empty body is `{}` (3x-ui
 * clients POST delete/… without one). The content type is not trusted either
 * way: `curl -d` labels JSON as a form, so the text itself decides.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  return parseJsonObject(await readLimitedText(request));
}

/**
 * Login also accepts an HTML form post (`username=…&password=…`), which is how
 * many 3x-ui scripts sign in; JSON is recognised whatever the label says.
 */
export async function readLoginBody(request: Request): Promise<Record<string, unknown>> {
  const text = await readLimitedText(request);
  const isForm = request.headers.get("content-type")?.toLowerCase().startsWith("application/x-www-form-urlencoded");
  if (isForm && !text.trim().startsWith("{")) return Object.fromEntries(new URLSearchParams(text));
  return parseJsonObject(text);
}
