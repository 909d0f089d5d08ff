import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TUserActor } from "../identity/actor.ts";
import { createVm, listVmEvents } from "../index.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";

let core: TTestCore;
let alice: TUserActor;
let bob: TUserActor;

beforeEach(async () => {
  core = await createTestCore();
  alice = await createTestUser(core, "alice");
  bob = await createTestUser(core, "bob");
  await seedInfra(core, { hosts: 1 });
});
afterEach(async () => core.drop());

describe("listVmEvents", () => {
  it("pages a VM's timeline newest first, only for a VM the actor may see", async () => {
    const { vm } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    await core.db.event.createMany({ data: Array.from({ length: 4 }, (_, i) => ({ type: "vm.note", vmId: vm.id, message: `note ${i + 1}` })) });
    const first = await listVmEvents(core, alice, { vm: "web-1", limit: 3 });
    expect(first.items.map((e) => e.message)).toEqual(["note 4", "note 3", "note 2"]);
    const rest = await listVmEvents(core, alice, { vm: vm.id, limit: 3, cursor: first.nextCursor ?? undefined });
    expect(rest.items.map((e) => e.message)).toEqual(["note 1", "web-1 is being created from tiny (small)"]);
    expect(rest.items[1]?.actor).toBe("alice");
    expect(rest.nextCursor).toBeNull();
    await expect(listVmEvents(core, bob, { vm: vm.id })).rejects.toMatchObject({ code: "VM_NOT_FOUND" });
    await expect(listVmEvents(core, alice, { vm: vm.id, cursor: "abc" })).rejects.toMatchObject({ code: "INVALID_INPUT", fields: [{ field: "cursor" }] });
  });
});
