import { describe, expect, it } from "vitest";
import { formatIpv4, isCidr, overlaps, parseCidr, parseIpv4 } from "./ipv4.ts";

describe("ipv4", () => {
  it("parses dotted quads and refuses anything else", () => {
    expect(parseIpv4("10.0.0.1")).toBe(167772161);
    expect(formatIpv4(167772161)).toBe("10.0.0.1");
    expect(formatIpv4(parseIpv4("255.255.255.255") ?? 0)).toBe("255.255.255.255");
    for (const bad of ["10.0.0", "10.0.0.256", "010.0.0.1", "a.b.c.d", "10.0.0.1 ", ""]) expect(parseIpv4(bad)).toBeNull();
  });
  it("parses a CIDR, naming what is wrong with a bad one", () => {
    const cidr = parseCidr("10.0.0.0/24");
    expect(cidr).toEqual({ text: "10.0.0.0/24", first: parseIpv4("10.0.0.0"), last: parseIpv4("10.0.0.255"), prefix: 24 });
    expect(parseCidr("10.0.0.5/24")).toEqual({ error: "has host bits set: the network is 10.0.0.0/24" });
    expect(parseCidr("10.0.0.0/31")).toMatchObject({ error: expect.stringContaining("/31 prefix") });
    expect(parseCidr("10.0.0.0")).toMatchObject({ error: expect.stringContaining("CIDR notation") });
    expect(parseCidr("10.0.0.0/33")).toMatchObject({ error: expect.stringContaining("CIDR notation") });
  });
  it("tells overlapping networks apart from neighbours", () => {
    const [a, b, c] = ["10.0.0.0/16", "10.0.5.0/24", "10.1.0.0/24"].map((t) => parseCidr(t));
    if (!a || !b || !c || !isCidr(a) || !isCidr(b) || !isCidr(c)) throw new Error("bad fixture");
    expect(overlaps(a, b)).toBe(true);
    expect(overlaps(a, c)).toBe(false);
  });
});
