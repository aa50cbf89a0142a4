import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvError, parseCsvRecords } from "./csv.ts";

const reference = (text: string): string[][] | "error" => {
  try {
    return parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true });
  } catch {
    return "error";
  }
};
const ours = (text: string): string[][] | "error" => {
  try {
    return parseCsvRecords(text, 64 * 1024);
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    return "error";
  }
};

describe("CSV records", () => {
  it("reads quoted fields with commas, line breaks and doubled quotes, and skips empty lines", () => {
    expect(parseCsvRecords('\uFEFFa,"b, ""c""\r\nd"\r\n\r\n,e,\r\n', 100)).toEqual([
      ["a", 'b, "c"\r\nd'],
      ["", "e", ""],
    ]);
  });

  it("says on which line a file stops being CSV", () => {
    expect(() => parseCsvRecords('a\nb,"c\n', 100)).toThrow(
      "a quoted field is not closed (it opens on line 2)",
    );
    expect(() => parseCsvRecords('a\n\nb"c', 100)).toThrow("line 3: a quote inside a field");
    expect(() => parseCsvRecords('"a"b', 100)).toThrow('line 1: after a closing quote comes "b"');
    expect(() => parseCsvRecords(`ok\n${"x".repeat(101)}`, 100)).toThrow("line 2: a row is longer than 100");
  });

  it("reads every text as csv-parse does: the same records, or both refuse it", () => {
    const text = fc
      .array(fc.constantFrom("a", "b", " ", ",", '"', "\n", "\r", "\r\n", "\uFEFF"), { maxLength: 40 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, (t) => {
        expect(ours(t)).toEqual(reference(t));
      }),
      { numRuns: 5000 },
    );
  });
});
