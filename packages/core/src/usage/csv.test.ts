import { describe, expect, it } from "vitest";
import { csvLine } from "./csv.ts";

describe("csvLine", () => {
  it("quotes commas, quotes and line breaks and doubles quotes", () => {
    expect(csvLine(["plain", 'say "hi"', "a,b", "two\nlines", 1.5, null])).toBe('plain,"say ""hi""","a,b","two\nlines",1.5,');
  });

  it("defuses text a spreadsheet would run as a formula, but not numbers", () => {
    expect(csvLine(["=SUM(A1)", "@team", "-x", 0])).toBe("'=SUM(A1),'@team,'-x,0");
  });
});
