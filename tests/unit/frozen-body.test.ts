import { describe, expect, it } from "vitest";
import { z } from "zod";
import { shapedOnce } from "@/lib/api/frozen-body";

describe("shapedOnce (a frozen result is shaped and serialized once per schema)", () => {
  const wide = z.object({ a: z.number(), b: z.string() });
  const narrow = z.object({ a: z.number() });
  const shaper = (schema: z.ZodType, result: unknown) => {
    let calls = 0;
    return {
      text: () => shapedOnce(schema, result, () => (calls++, JSON.stringify(schema.parse(result)))),
      calls: () => calls,
    };
  };

  it("shapes a frozen result once, and each schema keeps its own allow-list", () => {
    const frozen = Object.freeze({ a: 1, b: "x", secret: "never sent" });
    const w = shaper(wide, frozen);
    for (let i = 0; i < 3; i++) expect(w.text()).toBe('{"a":1,"b":"x"}');
    expect(w.calls()).toBe(1);
    expect(shaper(narrow, frozen).text()).toBe('{"a":1}');
  });

  it("shapes a result that is not frozen every time, so a change shows in the next answer", () => {
    const result = { a: 2, b: "y" };
    const w = shaper(wide, result);
    expect(w.text()).toBe('{"a":2,"b":"y"}');
    result.b = "changed";
    expect(w.text()).toBe('{"a":2,"b":"changed"}');
    expect(w.calls()).toBe(2);
  });

  it("shapes primitives and null every time", () => {
    const s = shaper(z.boolean(), false);
    s.text();
    s.text();
    expect(s.calls()).toBe(2);
  });
});
