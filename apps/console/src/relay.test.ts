import { describe, expect, it } from "vitest";
import { closeReason } from "./relay.ts";

describe("a console's close reason", () => {
  it("is kept whole up to WebSocket's 123 bytes and cut at a character beyond, never inside one", () => {
    expect(closeReason("web-1 is Stopped")).toBe("web-1 is Stopped");
    const long = `VM ${"ü".repeat(80)} moved`; // 2 bytes a character
    const cut = closeReason(long);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut).toMatch(/^VM ü+…$/);
    expect(Buffer.from(cut).toString()).toBe(cut); // valid UTF-8: no half character
  });
});
