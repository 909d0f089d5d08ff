import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVmOnce } from "./create-vm-once.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

describe("createVmOnce", () => {
  it("creates once per request key, however many times and however concurrently the request comes", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    const input = { name: "web-1", template: "tiny", offering: "small", requestKey: "slack:T1:command:42" };
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => createVmOnce(core, alice, input)));
    const first = outcomes.find((o) => !o.duplicate);
    expect(outcomes.filter((o) => !o.duplicate)).toHaveLength(1);
    expect(await core.db.vm.count()).toBe(1);
    expect(core.queues.jobs.size).toBe(1);
    // Every repeat, concurrent or later, learns what the first one made.
    const made = { duplicate: true, vmId: first?.duplicate === false ? first.vm.id : "", jobId: first?.duplicate === false ? first.job.id : "", passwordReveal: null };
    for (const outcome of outcomes.filter((o) => o.duplicate)) expect(outcome).toEqual(made);
    expect(await createVmOnce(core, alice, { ...input, offering: "small" })).toEqual(made);
  });

  it("refuses the key with another request, whatever the key order; another user's key tells nothing", async () => {
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    await seedInfra(core);
    const created = await createVmOnce(core, alice, { name: "web-1", template: "tiny", offering: "small", requestKey: "k2" });
    expect(await createVmOnce(core, alice, { requestKey: "k2", offering: "small", template: "tiny", name: "web-1" })).toMatchObject({ duplicate: true, vmId: created.duplicate ? "" : created.vm.id });
    const reused = (await createVmOnce(core, alice, { name: "web-2", template: "tiny", offering: "small", requestKey: "k2" }).catch((e: CarveError) => e)) as CarveError;
    expect(reused.code).toBe("REQUEST_KEY_REUSED");
    expect(await createVmOnce(core, bob, { name: "web-1", template: "tiny", offering: "small", requestKey: "k2" })).toEqual({ duplicate: true, vmId: null, jobId: null, passwordReveal: null });
    expect(await core.db.vm.count()).toBe(1);
  });

  it("a refused request records no key: its retry is tried again", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    const refused = (await createVmOnce(core, alice, { name: "x", template: "tiny", offering: "nope", requestKey: "k1" }).catch((e: CarveError) => e)) as CarveError;
    expect(refused.code).toBe("OFFERING_NOT_FOUND");
    expect(await core.db.requestKey.count()).toBe(0);
    expect(await createVmOnce(core, alice, { name: "x", template: "tiny", offering: "small", requestKey: "k1" })).toMatchObject({ duplicate: false, vm: { name: "x" } });
  });

  it("asks for the key", async () => {
    const alice = await createTestUser(core, "alice");
    const error = (await createVmOnce(core, alice, { name: "x", template: "tiny", offering: "small" }).catch((e: CarveError) => e)) as CarveError;
    expect(error.fields).toEqual([{ field: "requestKey", message: "is required" }]);
  });
});
