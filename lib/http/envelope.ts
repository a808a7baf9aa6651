import { z } from "zod";
import { JSON_HEADERS } from "./edge";

/**
 * The 3x-ui response envelope (its `entity.Msg`): always all three keys, `msg`
 * `""` and `obj` `null` when there is nothing to say.
 */
export interface Envelope<T = unknown> {
  success: boolean;
  msg: string;
  obj: T | null;
}


export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return jsonTextResponse(JSON.stringify(body), status, headers);
}

/**
 * Below this size an answer is sent as is, even to a client that accepts gzip
 * (bots' HTTP libraries all do): compressing a status answer (under 1 KB) cost more
 * server CPU than the rest of the request (~0.35 ms), to save ~600 bytes.
 * `no-transform` is what tells Next.js's compression to leave it alone.
 */
const COMPRESS_FROM_CHARS = 16 * 1024;
const UNCOMPRESSED_JSON_HEADERS = { ...JSON_HEADERS, "Cache-Control": "no-store, no-transform" };

/** A JSON answer whose body is already serialized (a cached envelope, say). */
export function jsonTextResponse(text: string, status = 200, headers: Record<string, string> = {}): Response {
  const base = text.length < COMPRESS_FROM_CHARS ? UNCOMPRESSED_JSON_HEADERS : JSON_HEADERS;
  return new Response(text, { status, headers: { ...base, ...headers } });
}

/** The envelope as JSON text. */
export function envelopeText(success: boolean, msg = "", obj: unknown = null): string {
  return JSON.stringify({ success, msg, obj: obj ?? null } satisfies Envelope);
}

export function ok(obj: unknown = null, msg = "", headers?: Record<string, string>, status = 200): Response {
  return jsonTextResponse(envelopeText(true, msg, obj), status, headers);
}

export function fail(msg: string, status = 200, headers?: Record<string, string>): Response {
  return jsonTextResponse(envelopeText(false, msg), status, headers);
}

/**
 * The envelope as schemas, for the OpenAPI document: `obj` is the endpoint's
 * response, or null when it has none; a failure's `obj` is always null.
 */
export function successEnvelope(obj?: z.ZodType) {
  return z.object({ success: z.literal(true), msg: z.string(), obj: obj ?? z.null() });
}

export const failureEnvelope = z.object({
  success: z.literal(false),
  msg: z.string().describe("Human-readable reason (the peer panel's wording where it has one)."),
  obj: z.null(),
});
