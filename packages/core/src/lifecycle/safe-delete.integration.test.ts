import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import type { TUserActor } from "../identity/actor.ts";
import { createVm, deleteOffering, deletePool, destroyVm, listOfferings, removeHost } from "../index.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";

let core: TTestCore;
let admin: TUserActor;
let alice: TUserActor;
beforeEach(async () => {
  core = await createTestCore();
  admin = await createTestUser(core, "ada", "Admin");
  alice = await createTestUser(core, "alice");
});
afterEach(async () => core.drop());

const refusal = (p: Promise<unknown>) => p.then(() => expect.unreachable("should have been refused"), (e: unknown) => e as CarveError);

describe("deleting infrastructure that is still used", () => {
  it("refuses a pool with volumes, a host with VMs and an offering in use, listing them; in the order given, each then goes", async () => {
    const { hosts } = await seedInfra(core, { hosts: 1 });
    const [first] = hosts;
    if (!first) throw new Error("seedInfra made no host");
    const { vm } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    await core.db.vm.update({ where: { id: vm.id }, data: { state: "Running", activeJobId: null } });
    const [volume] = await core.db.volume.findMany({ where: { vmId: vm.id } });

    const pool = await refusal(deletePool(core, admin, { pool: "pool-1" }));
    expect(pool.code).toBe("HAS_DEPENDENTS");
    expect(pool.message).toBe(
      `Storage pool pool-1 is still used by 1 volume (${volume?.name} (disk of VM web-1, alice, Allocating)). Remove them in this order: ` +
        "1. destroy the VMs whose disks are in it: web-1 (alice) ('carve vm destroy NAME --wait'); 2. delete the pool ('carve pool delete pool-1'); then its host can be removed ('carve host remove HOST')",
    );
    const host = await refusal(removeHost(core, admin, { host: "host-1" }));
    expect(host).toMatchObject({ code: "HAS_DEPENDENTS", details: { dependents: { VMs: ["web-1 (alice, Running)"] } } });
    expect(host.message).toContain("Remove them in this order: 1. destroy those VMs ('carve vm destroy NAME --wait') or have their owners destroy them; 2. remove the host ('carve host remove host-1')");
    const offering = await refusal(deleteOffering(core, admin, { offering: "small" }));
    expect(offering).toMatchObject({ code: "HAS_DEPENDENTS", details: { dependents: { VMs: ["web-1 (alice)"] } } });
    expect(offering.message).toContain("Or retire it now ('carve offering delete small --retire')");
    // Refusals change nothing.
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: first.pool.id } })).toMatchObject({ state: "Up" });
    expect(await core.db.templateCopy.count({ where: { poolId: first.pool.id } })).toBe(1);
    expect(await core.db.host.findUniqueOrThrow({ where: { id: first.host.id } })).toMatchObject({ state: "Up" });
    expect((await listOfferings(core, alice)).map((o) => o.name)).toEqual(["small", "large"]);

    // The suggested order: destroy the VM (the controller then marks it and its disk gone)...
    await destroyVm(core, alice, { vm: "web-1" });
    await core.db.vm.update({ where: { id: vm.id }, data: { state: "Destroyed", liveName: null, activeJobId: null } });
    await core.db.volume.updateMany({ where: { vmId: vm.id }, data: { state: "Deleted" } });
    // ...then the pool (kept as Removed for its volume's history, its template copy forgotten)...
    expect(await deletePool(core, admin, { pool: "pool-1" })).toEqual({ id: first.pool.id, name: "pool-1", outcome: "removed" });
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: first.pool.id } })).toMatchObject({ state: "Removed" });
    expect(await core.db.templateCopy.count({ where: { poolId: first.pool.id } })).toBe(0);
    expect((await refusal(deletePool(core, admin, { pool: "pool-1" }))).code).toBe("POOL_NOT_FOUND");
    // ...then the host, and the offerings: one a destroyed VM used is kept inactive, one never used goes.
    expect(await removeHost(core, admin, { host: "host-1" })).toMatchObject({ state: "Removed" });
    expect(await deleteOffering(core, admin, { offering: "small" })).toMatchObject({ name: "small", outcome: "retired", vms: [] });
    expect(await deleteOffering(core, admin, { offering: "large" })).toMatchObject({ name: "large", outcome: "deleted" });
    expect(await core.db.serviceOffering.findMany({ select: { name: true, active: true } })).toEqual([{ name: "small", active: false }]);
  });

  it("retires an offering in use when asked: new VMs cannot use it, the VMs using it keep it", async () => {
    await seedInfra(core, { hosts: 1 });
    await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    expect(await deleteOffering(core, admin, { offering: "small", retire: true })).toMatchObject({ outcome: "retired", vms: ["web-1 (alice)"] });
    expect((await listOfferings(core, alice)).map((o) => o.name)).toEqual(["large"]);
    expect((await refusal(createVm(core, alice, { name: "web-2", template: "tiny", offering: "small" }))).code).toBe("OFFERING_NOT_FOUND");
    expect(await core.db.vm.count({ where: { offering: { name: "small" }, state: { not: "Destroyed" } } })).toBe(1);
  });

  it("deletes an unused pool outright, and refuses one a template is being copied into until the copy ends", async () => {
    const { hosts, template } = await seedInfra(core, { hosts: 2 });
    const [, second] = hosts;
    if (!second) throw new Error("seedInfra made fewer hosts");
    await core.db.templateCopy.update({ where: { templateId_poolId: { templateId: template.id, poolId: second.pool.id } }, data: { state: "Copying", progress: 40 } });
    const copying = await refusal(deletePool(core, admin, { pool: "pool-2" }));
    expect(copying).toMatchObject({ code: "HAS_DEPENDENTS", details: { dependents: { "template copies in progress": ["tiny"] } } });
    expect(copying.message).toContain("1. wait for the template copies to finish ('carve template list'); 2. delete the pool");
    await core.db.templateCopy.update({ where: { templateId_poolId: { templateId: template.id, poolId: second.pool.id } }, data: { state: "Ready", progress: 100 } });
    expect(await deletePool(core, admin, { pool: "pool-2" })).toMatchObject({ outcome: "deleted" });
    expect(await core.db.storagePool.count({ where: { id: second.pool.id } })).toBe(0);
    expect((await refusal(deletePool(core, alice, { pool: "pool-1" }))).code).toBe("FORBIDDEN");
  });
});
