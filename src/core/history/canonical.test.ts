import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, chainInput, type HistoryEventBody } from "./canonical.ts";

/** The definition, written the plain way: every stored chain was hashed over this text. */
function reference(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(",")}}`;
  }
  throw new Error(`cannot serialise ${typeof value}`);
}

const json = fc.jsonValue();
const withUndefined = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(undefined),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value")),
    fc.dictionary(fc.string({ unit: "binary" }), tie("value")),
  ),
})).value;

const body: fc.Arbitrary<HistoryEventBody> = fc.record({
  workspaceId: fc.uuid(),
  seq: fc.nat(),
  id: fc.uuid(),
  at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  actorUserId: fc.option(fc.string({ unit: "binary" })),
  actorLabel: fc.string({ unit: "binary" }),
  entityType: fc.string(),
  entityId: fc.string({ unit: "binary" }),
  action: fc.string(),
  before: json,
  after: json,
});

describe("canonical JSON", () => {
  it("sorts keys by code unit, drops undefined and leaves no whitespace", () => {
    expect(canonicalJson({ b: 1, a: [true, undefined, "x"], B: { z: null, y: undefined }, é: 2 })).toBe(
      '{"B":{"z":null},"a":[true,null,"x"],"b":1,"é":2}',
    );
    expect(canonicalJson(new Date("2026-11-24T10:00:00Z"))).toBe('"2026-11-24T10:00:00.000Z"');
    expect(canonicalJson(12n)).toBe('"12"');
    expect(() => canonicalJson(() => 1)).toThrow("cannot serialise function");
  });

  it("writes exactly the text of its definition, for any value", () => {
    fc.assert(fc.property(withUndefined, (v) => canonicalJson(v) === reference(v)));
  });

  it("a parsed stored image serialises to the same text, so stored chains verify", () => {
    fc.assert(fc.property(json, (v) => canonicalJson(JSON.parse(canonicalJson(v))) === canonicalJson(v)));
  });

  it("the chain input is the previous hash, a newline and the whole event in canonical JSON", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), body, (prev, e) => {
        expect(chainInput(prev, e)).toBe(`${prev}\n${reference(e)}`);
      }),
    );
  });
});
