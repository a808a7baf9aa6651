import type { z } from "zod";

/**
 * The response text of a frozen result, shaped once per schema. The server
 * status snapshot answers every request for 2 s: parsing it through its
 * response schema and serializing it again for each one was a measurable share
 * of a bot's request (a paired A/B in `npm run bench`, bench/README.md). A
 * frozen object cannot change, so neither can its shaped copy or that copy's
 * JSON; weak keys let a replaced snapshot be collected.
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
