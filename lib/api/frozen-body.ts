import type { z } from "zod";

/**
 * The response text of a frozen result, shaped once per schema. The server
 * status snapshot answers every bot request for 2 s, and parsing it through
 * its response schema and serializing it again each time cost a bearer
 * request about 2–3 % of `/healthz` in the benchmark. A frozen object cannot
 * change, so neither can its shaped copy or that copy's JSON; weak keys let a
 * replaced snapshot be collected.
 */
const cache = new WeakMap<z.ZodType, WeakMap<object, string>>();

export function shapedOnce(schema: z.ZodType, result: unknown, shape: () => string): string {
  if (typeof result !== "object" || result === null || !Object.isFrozen(result)) return shape();
  let bySchema = cache.get(schema);
  if (!bySchema) cache.set(schema, (bySchema = new WeakMap()));
  let text = bySchema.get(result);
  if (text === undefined) bySchema.set(result, (text = shape()));
  return text;
}
