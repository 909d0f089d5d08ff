import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, type TTestCore } from "../testing/index.ts";
import { listJobs } from "./list-jobs.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

/** Jobs created one second apart, oldest first, in the given states. */
async function jobs(states: ("Succeeded" | "Failed" | "Running")[]) {
  const start = Date.UTC(2026, 0, 1);
  const made = [];
  for (const [i, state] of states.entries()) {
    made.push(await core.db.job.create({ data: { kind: `k.${i}`, state, createdAt: new Date(start + i * 1000), ...(state === "Failed" ? { errorCode: "BOOM", errorMessage: `job ${i} failed` } : {}) } }));
  }
  return made.map((j) => j.kind);
}

describe("listJobs", () => {
  it("lists failed jobs first, then the others, newest first, across pages with one cursor", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    await jobs(["Succeeded", "Failed", "Running", "Failed", "Succeeded"]);
    const all = await listJobs(core, admin, {});
    expect(all.items.map((j) => [j.kind, j.state])).toEqual([["k.3", "Failed"], ["k.1", "Failed"], ["k.4", "Succeeded"], ["k.2", "Running"], ["k.0", "Succeeded"]]);
    expect(all.items[0]?.errorMessage).toBe("job 3 failed");

    const seen: string[] = [];
    for (let cursor: string | undefined, pages = 0; pages < 10; pages++) {
      const page = await listJobs(core, admin, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((j) => j.kind));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(["k.3", "k.1", "k.4", "k.2", "k.0"]);
    expect((await listJobs(core, admin, { state: "Failed" })).items.map((j) => j.kind)).toEqual(["k.3", "k.1"]);
  });

  it("is for admins only", async () => {
    const alice = await createTestUser(core, "alice");
    const error = (await listJobs(core, alice, {}).catch((e: CarveError) => e)) as CarveError;
    expect(error.code).toBe("FORBIDDEN");
  });
});
