import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { shapedBody } from "@/lib/api/route";

describe("shapedBody (response allow-list, serialized once per frozen result)", () => {
  const wide = z.object({ a: z.number(), b: z.string() });
  const narrow = z.object({ a: z.number() });

  it("drops fields the schema does not list, frozen or not", () => {
    const result = { a: 1, b: "x", secret: "never sent" };
    expect(shapedBody("server.status", wide, result)).toBe('{"success":true,"obj":{"a":1,"b":"x"}}');
    expect(shapedBody("server.status", wide, Object.freeze({ ...result }))).toBe('{"success":true,"obj":{"a":1,"b":"x"}}');
  });

  it("parses a frozen result once per schema, and each schema keeps its own allow-list", () => {
    const frozen = Object.freeze({ a: 2, b: "y", secret: "never sent" });
    const parse = vi.spyOn(wide, "safeParse");
    try {
      for (let i = 0; i < 3; i++) expect(shapedBody("server.status", wide, frozen)).toBe('{"success":true,"obj":{"a":2,"b":"y"}}');
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
    expect(shapedBody("server.status", narrow, frozen)).toBe('{"success":true,"obj":{"a":2}}');
  });

  it("parses a mutable result every time, so a change shows in the next answer", () => {
    const result = { a: 3, b: "z" };
    expect(shapedBody("server.status", wide, result)).toBe('{"success":true,"obj":{"a":3,"b":"z"}}');
    result.b = "changed";
    expect(shapedBody("server.status", wide, result)).toBe('{"success":true,"obj":{"a":3,"b":"changed"}}');
  });

  it("refuses a result of the wrong shape (a bug of ours, answered as a 500 by the caller)", () => {
    expect(() => shapedBody("server.status", wide, Object.freeze({ a: "not a number" }))).toThrow("server.status: response does not match its schema");
  });
});
