import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { createDiskOffering } from "../offerings/create-disk-offering.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "./create-vm.ts";
import { planVm } from "./plan-vm.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const GIB = 1024n ** 3n;

describe("planVm with data disks", () => {
  it("names each data disk's pool, as the create then places them, and reserves nothing", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    const { template, hosts } = await seedInfra(core, { hosts: 2 });
    const shared = await core.db.storagePool.create({
      data: { name: "nfs", libvirtName: "nfs", path: "/mnt/nfs", scope: "Shared", capacityBytes: 100n * GIB, capacityReportedAt: new Date(), hosts: { create: hosts.map((h) => ({ hostId: h.host.id })) } },
    });
    await core.db.templateCopy.create({ data: { templateId: template.id, poolId: shared.id, volumeName: "tiny.qcow2" } });
    await core.db.serviceOffering.create({ data: { name: "on-nfs", vcpus: 1, memoryMiB: 512, rootDiskGiB: 5, rootScope: "Shared" } });
    await createDiskOffering(core, admin, { name: "scratch", sizeGiB: 500, scope: "Local" });
    await createDiskOffering(core, admin, { name: "fast", minSizeGiB: 1, maxSizeGiB: 64, scope: "Shared" });
    const input = { name: "big", template: "tiny", offering: "on-nfs", dataDisks: [{ diskOffering: "scratch" }, { diskOffering: "fast", sizeGiB: 8 }] };

    const plan = await planVm(core, alice, input);
    expect(plan).toMatchObject({ fits: true, pool: { name: "nfs" } });
    expect(plan.dataDisks.map((d) => [d.label, d.sizeGiB, d.pool?.scope, d.reason])).toEqual([
      ["1 (500 GiB scratch)", 500, "Local", null],
      ["2 (8 GiB fast)", 8, "Shared", null],
    ]);
    expect(plan.dataDisks[1]?.pool?.name).toBe("nfs");
    const localPool = hosts.find((h) => h.host.name === plan.host?.name)?.pool.name;
    expect(plan.dataDisks[0]?.pool?.name).toBe(localPool);
    // Nothing reserved by the dry run.
    expect((await core.db.storagePool.findMany()).every((p) => p.reservedBytes === 0n)).toBe(true);
    expect(await core.db.vm.count()).toBe(0);

    // The create puts them where the plan said (same host: the hosts are equally free, so check the pools' kinds).
    const { job } = await createVm(core, alice, input);
    const payload = core.queues.jobs.get(job.id)?.envelope.payload as { dataVolumes: { pool: string }[] };
    expect(payload.dataVolumes.map((v) => v.pool)).toEqual(["default", "nfs"]);
  });

  it("says per data disk why no host has a pool for it, the create's explanation word for word", async () => {
    const admin = await createTestUser(core, "root", "Admin");
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 2 });
    await createDiskOffering(core, admin, { name: "huge", sizeGiB: 2000, scope: "Local" });
    await createDiskOffering(core, admin, { name: "ten", sizeGiB: 10, scope: "Local" });
    const input = { name: "x", template: "tiny", offering: "small", dataDisks: [{ diskOffering: "ten" }, { diskOffering: "huge" }] };

    const plan = await planVm(core, alice, input);
    const refused = (await createVm(core, alice, input).catch((e: CarveError) => e)) as CarveError;
    expect(refused.code).toBe("NO_CAPACITY");
    expect(plan).toMatchObject({ fits: false, host: null, message: refused.message });
    expect(plan.dataDisks[0]).toMatchObject({ label: "1 (10 GiB ten)", pool: null, reason: null });
    expect(plan.dataDisks[1]?.pool).toBeNull();
    expect(plan.dataDisks[1]?.reason).toContain("host-1: pool-1 has 850 GiB free below its 85 % threshold, 2000 GiB needed");
    expect(plan.dataDisks[1]?.reason).toContain("host-2: pool-2 has 850 GiB free");

    // Two disks that each fit but not together (with the root disk): refused like the create refuses.
    await createDiskOffering(core, admin, { name: "half", sizeGiB: 500, scope: "Local" });
    const both = await planVm(core, alice, { ...input, dataDisks: [{ diskOffering: "half" }, { diskOffering: "half" }] });
    expect(both.fits).toBe(false);
    expect(both.rejections).toContainEqual({ host: "host-1", reason: "has no room for the root disk and all the data disks together" });
    expect(both.dataDisks.map((d) => d.reason)).toEqual([null, null]);

    // An unknown disk offering is a field error, as in the create.
    const unknown = (await planVm(core, alice, { ...input, dataDisks: [{ diskOffering: "nope" }] }).catch((e: CarveError) => e)) as CarveError;
    expect(unknown.fields?.[0]?.field).toBe("dataDisks.0.diskOffering");
  });
});
