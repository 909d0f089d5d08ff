import { describe, expect, it } from "vitest";
import { KeyedLock } from "./keyed-lock.ts";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("KeyedLock", () => {
  it("runs work for one key one at a time, in order", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const work = (id: string, ms: number) =>
      lock.run("vm-1", async () => {
        events.push(`start ${id}`);
        await tick(ms);
        events.push(`end ${id}`);
        return id;
      });
    await expect(Promise.all([work("a", 20), work("b", 1), work("c", 1)])).resolves.toEqual(["a", "b", "c"]);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(lock.size).toBe(0);
  });

  it("lets different keys run side by side and survives a failing holder", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const failing = lock.run("vm-1", async () => {
      await tick(10);
      throw new Error("boom");
    });
    const other = lock.run("vm-2", async () => events.push("vm-2 ran"));
    const next = lock.run("vm-1", async () => events.push("vm-1 ran after the failure"));
    await expect(failing).rejects.toThrow("boom");
    await Promise.all([other, next]);
    expect(events).toEqual(["vm-2 ran", "vm-1 ran after the failure"]);
  });
});
