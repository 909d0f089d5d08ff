import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TUserActor } from "../identity/actor.ts";
import { usageHistory } from "../index.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { DAY_MS, HOUR_MS } from "./usage-timeline.ts";

let core: TTestCore;
let alice: TUserActor;
let bob: TUserActor;
const today = Date.UTC(2026, 10, 27);

beforeEach(async () => {
  core = await createTestCore();
  core.now = () => new Date(today + 15 * HOUR_MS);
  alice = await createTestUser(core, "alice");
  bob = await createTestUser(core, "bob");
});
afterEach(async () => core.drop());

const record = (owner: TUserActor, day: number, kind: "VmRunning" | "VmAllocated" | "Volume", hours: number, size = 1) => ({
  granularity: "Day" as const,
  periodStart: new Date(today - day * DAY_MS),
  kind,
  subjectId: crypto.randomUUID(),
  ownerId: owner.userId,
  size: BigInt(size),
  durationMs: BigInt(hours * HOUR_MS),
});

describe("usageHistory", () => {
  it("gives the acting user's own usage per day, every day of the range (zeros too), oldest first, with totals", async () => {
    await core.db.usageRecord.createMany({
      data: [record(alice, 1, "VmRunning", 3), record(alice, 1, "VmAllocated", 1), record(alice, 0, "VmRunning", 2), record(alice, 2, "Volume", 24, 10), record(bob, 1, "VmRunning", 7), record(alice, 9, "VmRunning", 5)],
    });
    const usage = await usageHistory(core, alice, { periods: 3 });
    expect([usage.from.toISOString(), usage.to.toISOString()]).toEqual([new Date(today - 2 * DAY_MS).toISOString(), new Date(today + DAY_MS).toISOString()]);
    expect(usage.periods.map((p) => [p.periodStart.toISOString().slice(0, 10), p.runningHours, p.allocatedHours, p.volumeGiBHours])).toEqual([
      ["2026-11-25", 0, 0, 240],
      ["2026-11-26", 3, 1, 0],
      ["2026-11-27", 2, 0, 0],
    ]);
    expect(usage.totals).toEqual({ runningHours: 5, allocatedHours: 1, volumeGiBHours: 240 });
    expect((await usageHistory(core, bob, { periods: 3 })).totals.runningHours).toBe(7);
  });

  it("refuses a range it cannot answer, naming the field", async () => {
    await expect(usageHistory(core, alice, { periods: 0 })).rejects.toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "periods" }] });
    await expect(usageHistory(core, alice, { granularity: "week" })).rejects.toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "granularity" }] });
  });
});
