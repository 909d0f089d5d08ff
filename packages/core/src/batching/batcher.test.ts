import { expect, it } from "vitest";
import { Batcher, sharedLoad, type TBatchOutcome } from "./batcher.ts";

function recorder() {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  const batcher = new Batcher<number, number>(
    async (items) => {
      batches.push(items);
      if (items.includes(0)) await new Promise<void>((resolve) => (release = resolve)); // the first batch is slow
      return items.map((n): TBatchOutcome<number> => (n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 10 }));
    },
    { maxBatch: 3 },
  );
  return { batches, batcher, release: () => release() };
}

it("runs a lone item at once and gathers the items that arrive meanwhile into the next batches", async () => {
  const { batches, batcher, release } = recorder();
  const first = batcher.submit(0);
  await Promise.resolve();
  await Promise.resolve();
  expect(batches).toEqual([[0]]);
  const later = [1, 2, 3, 4].map((n) => batcher.submit(n));
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(batches).toEqual([[0]]); // waiting for the running batch, not started one by one
  release();
  expect(await first).toBe(0);
  expect(await Promise.all(later)).toEqual([10, 20, 30, 40]);
  expect(batches).toEqual([[0], [1, 2, 3], [4]]); // at most maxBatch per batch, in order
});

it("fails only the item that failed, and every item when the whole batch throws", async () => {
  const { batcher } = recorder();
  const results = await Promise.allSettled([batcher.submit(1), batcher.submit(-1), batcher.submit(2)]);
  expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([10, "bad -1", 20]);

  const broken = new Batcher<number, number>(async () => Promise.reject(new Error("database away")), { maxBatch: 10 });
  const all = await Promise.allSettled([broken.submit(1), broken.submit(2)]);
  expect(all.map((r) => r.status === "rejected" && (r.reason as Error).message)).toEqual(["database away", "database away"]);
});

it("loads once for concurrent asks of one key, and again once that load has settled", async () => {
  let loads = 0;
  const owner = {};
  const load = async () => {
    const n = (loads += 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return `v${n}`;
  };
  expect(await Promise.all([sharedLoad(owner, "k", load), sharedLoad(owner, "k", load), sharedLoad({}, "k", load)])).toEqual(["v1", "v1", "v2"]);
  expect(await sharedLoad(owner, "k", load)).toBe("v3");
  await expect(Promise.all([sharedLoad(owner, "bad", () => Promise.reject(new Error("gone"))), sharedLoad(owner, "bad", load)])).rejects.toThrow("gone");
  expect(await sharedLoad(owner, "bad", load)).toBe("v4"); // a failure is not remembered either
});
