import { z } from "zod";
import { DomainError, HttpError } from "@/lib/errors";

export const MAX_BODY_BYTES = 64 * 1024;

export const BODY_MSG = {
  tooLarge: "request body is larger than 64 KiB",
  invalidJson: "request body must be valid JSON",
  notObject: "request body must be a JSON object",
  invalidForm: "request body is not a valid form",
  fileField: "file uploads are not accepted",
  unsupportedType: "request body must be JSON, application/x-www-form-urlencoded or multipart/form-data",
} as const;

/** A body as decoded: JSON keeps its types; a form gives each field's values as strings, in order. */
export type DecodedBody = { kind: "json"; fields: Record<string, unknown> } | { kind: "form"; fields: Map<string, string[]> };

/** The body's bytes, refusing (413) past 64 KiB whether or not Content-Length says so. */
async function readLimitedBytes(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, BODY_MSG.tooLarge);
  if (!request.body) return new Uint8Array();
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
  return Buffer.concat(chunks);
}

/**
 * Reads and drops a body sent to a route that takes none (a GET with a body):
 * answered before the client has finished sending it, the connection would be
 * reset under the client's feet. Up to 64 KiB; past that it is left to the
 * server, as a refused upload is.
 */
export async function discardBody(request: Request): Promise<void> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  const sent = declared > 0 || request.headers.has("transfer-encoding");
  if (!sent || declared > MAX_BODY_BYTES || !request.body) return;
  try {
    await readLimitedBytes(request);
  } catch {
    // Too large or cut off: nothing to answer about a body nobody asked for.
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError(BODY_MSG.invalidJson);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new DomainError(BODY_MSG.notObject);
  return parsed as Record<string, unknown>;
}

/** `allowedIps[]` and `allowedIps[0]` (jQuery/qs style) are the field `allowedIps`. */
const fieldName = (key: string) => key.replace(/\[\d*\]$/, "");

function addField(fields: Map<string, string[]>, key: string, value: string): void {
  const name = fieldName(key);
  const values = fields.get(name);
  if (values) values.push(value);
  else fields.set(name, [value]);
}

async function parseMultipart(bytes: Uint8Array, contentType: string): Promise<Map<string, string[]>> {
  let form: FormData;
  try {
    form = await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]), { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new DomainError(BODY_MSG.invalidForm);
  }
  const fields = new Map<string, string[]>();
  for (const [key, value] of form) {
    if (typeof value !== "string") throw new DomainError(BODY_MSG.fileField);
    addField(fields, key, value);
  }
  return fields;
}

/**
 * Reads a body of at most 64 KiB as JSON, a URL-encoded form or a multipart
 * form (3x-ui binds all three, and its web UI and many scripts post forms). An
 * empty body is no fields at all: 3x-ui clients POST delete/… without one.
 * A form-labelled body that starts with `{` is JSON: `curl -d '{…}'` labels it so.
 */
export async function readBody(request: Request): Promise<DecodedBody> {
  const bytes = await readLimitedBytes(request);
  const text = Buffer.from(bytes).toString("utf8");
  const contentType = request.headers.get("content-type") ?? "";
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (text.trim() === "") return { kind: "json", fields: {} };
  if (type === "application/x-www-form-urlencoded" && !text.trimStart().startsWith("{")) {
    const fields = new Map<string, string[]>();
    for (const [key, value] of new URLSearchParams(text)) addField(fields, key, value);
    return { kind: "form", fields };
  }
  if (type === "multipart/form-data") return { kind: "form", fields: await parseMultipart(bytes, contentType) };
  if (type === "" || type === "application/x-www-form-urlencoded" || type === "application/json" || type.endsWith("+json")) {
    return { kind: "json", fields: parseJsonObject(text) };
  }
  throw new HttpError(415, BODY_MSG.unsupportedType);
}

type FieldKind = "boolean" | "integer" | "list" | "text";

/** What each top-level field of a body schema expects, read from its JSON Schema (as callers send it). */
function fieldKinds(schema: z.ZodType): Map<string, FieldKind> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: string }>;
  };
  const kinds = new Map<string, FieldKind>();
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    const type = property.type;
    kinds.set(name, type === "boolean" ? "boolean" : type === "integer" || type === "number" ? "integer" : type === "array" ? "list" : "text");
  }
  return kinds;
}

const kindsCache = new WeakMap<z.ZodType, Map<string, FieldKind>>();

// strconv.ParseBool's spellings, as 3x-ui's form binding reads booleans.
const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/**
 * A form's strings as the values the body schema expects: `true`/`false` for
 * booleans, decimal strings for integers, a list from repeated fields or from
 * comma-separated values. Anything that does not convert stays a string, so
 * the schema refuses it with the same message as a wrong JSON value.
 */
function typedFormFields(fields: Map<string, string[]>, schema: z.ZodType): Record<string, unknown> {
  let kinds = kindsCache.get(schema);
  if (!kinds) kindsCache.set(schema, (kinds = fieldKinds(schema)));
  const out: Record<string, unknown> = {};
  for (const [name, values] of fields) {
    const first = values[0]!;
    switch (kinds.get(name)) {
      case "boolean":
        out[name] = TRUE.has(first.trim()) ? true : FALSE.has(first.trim()) ? false : first;
        break;
      case "integer":
        out[name] = /^\s*[+-]?\d{1,16}\s*$/.test(first) ? Number(first) : first;
        break;
      case "list":
        out[name] = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
        break;
      default:
        out[name] = first;
    }
  }
  return out;
}

/** The fields of a decoded body as the schema's input: JSON as sent, a form typed by the schema. */
export function bodyFields(body: DecodedBody, schema: z.ZodType): Record<string, unknown> {
  return body.kind === "json" ? body.fields : typedFormFields(body.fields, schema);
}

/** A field of the body as one string, whatever the encoding (`_csrf`, say); undefined when absent. */
export function textField(body: DecodedBody, name: string): string | undefined {
  const value = body.kind === "json" ? body.fields[name] : body.fields.get(name)?.[0];
  return typeof value === "string" ? value : undefined;
}
