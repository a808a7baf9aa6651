import { z } from "zod";

/**
 * The 3x-ui response envelope: `{"success": boolean, "msg"?: string, "obj"?: any}`.
 */
export interface Envelope<T = unknown> {
  success: boolean;
  msg?: string;
  obj?: T;
}

/** Headers for every JSON answer: never cached, never rendered as a document. */
const JSON_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
} as const;

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return jsonTextResponse(JSON.stringify(body), status, headers);
}

/** A JSON answer whose body is already serialized (a cached envelope, say). */
export function jsonTextResponse(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { ...JSON_HEADERS, ...headers } });
}

export function ok<T>(obj?: T, msg?: string, headers?: Record<string, string>): Response {
  const body: Envelope<T> = { success: true };
  if (msg !== undefined) body.msg = msg;
  if (obj !== undefined) body.obj = obj;
  return jsonResponse(body, 200, headers);
}

/** The success envelope around `obj` as JSON text, for answers serialized once and sent many times. */
export function okText<T>(obj: T): string {
  return JSON.stringify({ success: true, obj } satisfies Envelope<T>);
}

export function fail(msg: string, status = 200, headers?: Record<string, string>): Response {
  return jsonResponse({ success: false, msg } satisfies Envelope, status, headers);
}

/**
 * The envelope as schemas, for the OpenAPI document: a success carries `obj`
 * exactly when the endpoint has a response schema; a failure carries only `msg`.
 */
export function successEnvelope(obj?: z.ZodType) {
  return z.object({ success: z.literal(true), msg: z.string().optional(), ...(obj ? { obj } : {}) });
}

export const failureEnvelope = z.object({
  success: z.literal(false),
  msg: z.string().describe("Human-readable reason (the peer panel's wording where it has one)."),
});
