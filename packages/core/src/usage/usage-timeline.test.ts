import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, splitIntoBuckets, usageKindOfState, vmIntervals } from "./usage-timeline.ts";

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);
const at = (h: number, m = 0, s = 0, ms = 0) => T0 + h * HOUR_MS + m * 60_000 + s * 1000 + ms;

describe("splitIntoBuckets", () => {
  it("cuts an interval across hour edges, exact to the millisecond", () => {
    const buckets = splitIntoBuckets([{ start: at(1, 30, 15, 250), end: at(3, 0, 0, 1), key: "k" }], at(0), at(4), "Hour");
    expect(buckets).toEqual([
      { periodStart: at(1), key: "k", durationMs: 29 * 60_000 + 44_750 },
      { periodStart: at(2), key: "k", durationMs: HOUR_MS },
      { periodStart: at(3), key: "k", durationMs: 1 },
    ]);
  });

  it("cuts an open interval at the end of the window and ignores what lies outside it", () => {
    const buckets = splitIntoBuckets(
      [
        { start: at(0, 10), end: Number.POSITIVE_INFINITY, key: "open" },
        { start: at(-5), end: at(1), key: "before" },
        { start: at(5), end: at(6), key: "after" },
      ],
      at(1),
      at(3),
      "Hour",
    );
    expect(buckets).toEqual([
      { periodStart: at(1), key: "open", durationMs: HOUR_MS },
      { periodStart: at(2), key: "open", durationMs: HOUR_MS },
    ]);
  });

  it("sums several intervals of one key in the same period and keeps keys apart", () => {
    const buckets = splitIntoBuckets(
      [
        { start: at(1, 0), end: at(1, 10), key: "a" },
        { start: at(1, 20), end: at(1, 25), key: "a" },
        { start: at(1, 10), end: at(1, 20), key: "b" },
      ],
      at(0),
      at(2),
      "Hour",
    );
    expect(buckets).toEqual([
      { periodStart: at(1), key: "a", durationMs: 15 * 60_000 },
      { periodStart: at(1), key: "b", durationMs: 10 * 60_000 },
    ]);
  });

  it("aligns days to UTC midnight", () => {
    const buckets = splitIntoBuckets([{ start: at(20), end: at(30), key: "k" }], T0, T0 + 2 * DAY_MS, "Day");
    expect(buckets).toEqual([
      { periodStart: T0, key: "k", durationMs: 4 * HOUR_MS },
      { periodStart: T0 + DAY_MS, key: "k", durationMs: 6 * HOUR_MS },
    ]);
  });
});

describe("vmIntervals", () => {
  it("meters running and allocated time per offering, and nothing once destroyed", () => {
    const intervals = vmIntervals("small", [
      { at: at(1), toState: "Creating" },
      { at: at(1, 0, 5), toState: "Running" },
      { at: at(2), toState: "Stopping" },
      { at: at(2, 0, 3), toState: "Stopped" },
      { at: at(3), toOfferingId: "large" },
      { at: at(4), toState: "Starting" },
      { at: at(4, 0, 2), toState: "Running" },
      { at: at(5), toState: "Destroying" },
      { at: at(5, 0, 1), toState: "Destroyed" },
    ]);
    expect(intervals).toEqual([
      { start: at(1), end: at(1, 0, 5), key: "VmAllocated|small" },
      { start: at(1, 0, 5), end: at(2), key: "VmRunning|small" },
      { start: at(2), end: at(3), key: "VmAllocated|small" },
      { start: at(3), end: at(4, 0, 2), key: "VmAllocated|large" },
      { start: at(4, 0, 2), end: at(5), key: "VmRunning|large" },
    ]);
  });

  it("leaves the last interval open while the VM still runs", () => {
    expect(vmIntervals("small", [{ at: at(1), toState: "Running" }])).toEqual([{ start: at(1), end: Number.POSITIVE_INFINITY, key: "VmRunning|small" }]);
  });

  it("classifies states", () => {
    expect(usageKindOfState("Rebooting")).toBe("VmRunning");
    expect(usageKindOfState("Unknown")).toBe("VmAllocated");
    expect(usageKindOfState("Error")).toBeNull();
    expect(usageKindOfState("Destroying")).toBeNull();
  });
});
