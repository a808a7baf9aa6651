import { describe, expect, it } from "vitest";
import { csvCell, csvRow } from "@/lib/audit/export";

describe("CSV cells (RFC 4180, no formulas)", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["=1+1", "'=1+1"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tx", "'\tx"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["", ""],
    ["a=b", "a=b"],
  ])("%j → %s", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("a row: ISO time, names with their kind and id, detail as JSON (with the count of an aggregated row), CRLF", () => {
    const row = csvRow({
      id: 9,
      at: Date.UTC(2026, 11, 1, 12, 0, 0),
      action: "bearer.failure",
      outcome: "failure",
      actor: { type: "anonymous", id: null, name: "" },
      ip: "203.0.113.7",
      target: { type: "token", id: 3, name: "-ci, prod" },
      detail: { reason: "unknown" },
      count: 4,
    });
    expect(row).toBe(`2026-12-01T12:00:00.000Z,bearer.failure,failure,(anonymous),203.0.113.7,"'-ci, prod (token 3)","{""reason"":""unknown"",""count"":4}"\r\n`);
  });
});
