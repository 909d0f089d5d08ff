import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { CarveError } from "../errors/index.ts";
import { parseInput } from "./parse-input.ts";

const ZInput = z.strictObject({
  name: z.string({ error: "is required: give a name such as web-1" }),
  count: z.number({ error: "is required" }).int().optional(),
  notes: z.string().optional(),
  tags: z.array(z.object({ key: z.string() })).default([]),
});

function refusal(input: unknown): CarveError {
  try {
    parseInput(ZInput, input);
  } catch (error) {
    return error as CarveError;
  }
  throw new Error("parseInput accepted the input");
}

describe("parseInput", () => {
  it("refuses a NUL at any depth naming the field, before the schema looks at it", () => {
    expect(refusal({ name: "a\u0000b" }).fields).toEqual([{ field: "name", message: "contains a control character (NUL); remove it" }]);
    expect(refusal({ name: "a", tags: [{ key: "k\u0000" }] }).fields).toEqual([{ field: "tags.0.key", message: "contains a control character (NUL); remove it" }]);
    expect(refusal({ name: "a", notes: "bell\u0007" }).message).toBe("Invalid input. notes: contains a control character (U+0007); remove it");
  });

  it("lets free text keep tab and newline", () => {
    expect(parseInput(ZInput, { name: "a", notes: "line 1\n\tline 2\r\n" }).notes).toBe("line 1\n\tline 2\r\n");
  });

  it("says a missing value is required, and a value of the wrong type which type is expected", () => {
    expect(refusal({}).fields).toEqual([{ field: "name", message: "is required: give a name such as web-1" }]);
    expect(refusal({ name: 5 }).fields).toEqual([{ field: "name", message: "must be a string, not a number" }]);
    expect(refusal({ name: "a", count: "7" }).fields).toEqual([{ field: "count", message: "must be a number, not a string" }]);
    expect(refusal([]).fields).toEqual([{ field: "input", message: "must be an object, not an array" }]);
  });

  it("says a choice given a value of another type which type it was", () => {
    const ZChoice = z.strictObject({ role: z.enum(["Admin", "User"], { error: "must be Admin or User" }).nullable().optional() });
    const fields = (input: unknown) => (() => { try { parseInput(ZChoice, input); return []; } catch (error) { return (error as CarveError).fields; } })();
    expect(fields({ role: 5 })).toEqual([{ field: "role", message: "must be Admin or User, not a number" }]);
    expect(fields({ role: "admin" })).toEqual([{ field: "role", message: "must be Admin or User" }]);
    expect(fields({ role: null })).toEqual([]);
  });

  it("names each unknown field of a strict object", () => {
    expect(refusal({ name: "a", vcpus: 100000 }).fields).toEqual([{ field: "vcpus", message: "is not a field of this request: remove it (the API document lists the fields)" }]);
  });
});
