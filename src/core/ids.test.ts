import { describe, expect, it } from "vitest";
import { isUuid, uuidv7 } from "./ids.ts";

describe("uuidv7", () => {
  it("writes the time in the first 48 bits, version 7 and the RFC 9562 variant", () => {
    const at = Date.UTC(2026, 10, 24, 10, 0, 0);
    const id = uuidv7(at);
    expect(isUuid(id)).toBe(true);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    expect(id[14]).toBe("7");
    expect("89ab").toContain(id[19]);
  });

  it("sorts in creation order, also thousands within one millisecond", () => {
    const at = Date.UTC(2027, 0, 1);
    const ids = Array.from({ length: 10_000 }, () => uuidv7(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
