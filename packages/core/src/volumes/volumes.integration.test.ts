import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { createDiskOffering } from "../offerings/create-disk-offering.ts";
import { deleteDiskOffering } from "../offerings/delete-disk-offering.ts";
import { listDiskOfferings } from "../offerings/list-disk-offerings.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { destroyVm } from "../vms/destroy-vm.ts";
import { stopVm } from "../vms/stop-vm.ts";
import { attachVolume } from "./attach-volume.ts";
import { createVolume } from "./create-volume.ts";
import { deleteVolume } from "./delete-volume.ts";
import { detachVolume } from "./detach-volume.ts";
import { listVolumes } from "./list-volumes.ts";
import { resizeVolume } from "./resize-volume.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const GIB = 1024n ** 3n;
async function answer(jobId: string, outcome: { result: unknown } | { reason: string }) {
  core.queues.settle(jobId, outcome);
  await sweepJobs(core);
}
const vmCreated = (vmId: string) => ({ result: { vmId, domainUuid: vmId, state: "running", rootVolumePath: `/p/${vmId}` } });
const payloadOf = (jobId: string) => core.queues.jobs.get(jobId)?.envelope.payload as Record<string, unknown>;
const reserved = async (name: string) => (await core.db.storagePool.findFirstOrThrow({ where: { name } })).reservedBytes;

async function setup() {
  const admin = await createTestUser(core, "root", "Admin");
  const alice = await createTestUser(core, "alice");
  const infra = await seedInfra(core, { hosts: 2 });
  await createDiskOffering(core, admin, { name: "custom", minSizeGiB: 1, maxSizeGiB: 100, scope: "Local" });
  await createDiskOffering(core, admin, { name: "ten", sizeGiB: 10, scope: "Local" });
  return { admin, alice, ...infra };
}

/** A running VM of alice's on host `n` (the other host is in maintenance meanwhile). */
async function vmOn(alice: Awaited<ReturnType<typeof setup>>["alice"], name: string, hostName: string, input: Record<string, unknown> = {}) {
  const others = await core.db.host.findMany({ where: { name: { not: hostName } } });
  await core.db.host.updateMany({ where: { id: { in: others.map((h) => h.id) } }, data: { state: "Maintenance" } });
  const created = await createVm(core, alice, { name, template: "tiny", offering: "small", ...input });
  await core.db.host.updateMany({ where: { id: { in: others.map((h) => h.id) } }, data: { state: "Up" } });
  await answer(created.job.id, vmCreated(created.vm.id));
  return created;
}

describe("disk offerings", () => {
  it("are fixed or custom-size, validated, listed, and retired while volumes use them", async () => {
    const { admin, alice } = await setup();
    const both = await createDiskOffering(core, admin, { name: "bad", sizeGiB: 5, maxSizeGiB: 9 }).catch((e: CarveError) => e);
    expect((both as CarveError).fields?.[0]).toMatchObject({ field: "sizeGiB" });
    const inverted = await createDiskOffering(core, admin, { name: "bad", minSizeGiB: 50, maxSizeGiB: 9 }).catch((e: CarveError) => e);
    expect((inverted as CarveError).fields?.[0]).toMatchObject({ field: "maxSizeGiB" });
    expect(await createDiskOffering(core, alice, { name: "mine", sizeGiB: 1 }).catch((e: CarveError) => e.code)).toBe("FORBIDDEN");
    expect((await listDiskOfferings(core, alice)).map((o) => [o.name, o.sizeGiB, o.minSizeGiB, o.maxSizeGiB, o.scope])).toEqual([
      ["ten", 10, null, null, "Local"],
      ["custom", null, 1, 100, "Local"],
    ]);
    const tooBig = await createVolume(core, alice, { name: "big", diskOffering: "custom", sizeGiB: 101 }).catch((e: CarveError) => e);
    expect((tooBig as CarveError).message).toContain("must be between 1 and 100 GiB for disk offering custom");
    await createVolume(core, alice, { name: "v", diskOffering: "ten" });
    expect(await deleteDiskOffering(core, admin, { diskOffering: "ten" })).toMatchObject({ outcome: "retired", volumes: 1 });
    expect(await deleteDiskOffering(core, admin, { diskOffering: "custom" })).toMatchObject({ outcome: "deleted" });
    expect(await listDiskOfferings(core, alice)).toEqual([]);
    expect(await createVolume(core, alice, { name: "w", diskOffering: "ten" }).catch((e: CarveError) => e.code)).toBe("DISK_OFFERING_NOT_FOUND");
  });
});

describe("volumes", () => {
  it("create → attach (running VM) → resize → detach → delete, reserving and releasing pool space", async () => {
    const { alice } = await setup();
    const { vm } = await vmOn(alice, "web", "host-1");
    const before = await reserved("pool-1");
    const { volume, job } = await createVolume(core, alice, { name: "data", diskOffering: "custom", sizeGiB: 20, vm: "web" });
    expect(volume).toMatchObject({ state: "Allocating", poolId: (await core.db.storagePool.findFirstOrThrow({ where: { name: "pool-1" } })).id });
    expect(payloadOf(job.id)).toEqual({ volumeId: volume.id, pool: "default", name: `carve-${volume.id}.qcow2`, sizeGiB: 20 });
    expect((await reserved("pool-1")) - before).toBe(20n * GIB);
    await answer(job.id, { result: { volumeId: volume.id, path: "/p/data.qcow2", alreadyPresent: false } });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Ready", path: "/p/data.qcow2", activeJobId: null });

    const attach = await attachVolume(core, alice, { volume: "data", vm: "web" });
    expect(payloadOf(attach.id)).toMatchObject({ volumeId: volume.id, vmId: vm.id, deviceIndex: 1 });
    // The VM is held for the job: no second change meanwhile.
    expect(await stopVm(core, alice, { vm: "web" }).catch((e: CarveError) => e.code)).toBe("VM_BUSY");
    await answer(attach.id, { result: { volumeId: volume.id, vmId: vm.id, target: "vdb", live: true, alreadyAttached: false } });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Attached", vmId: vm.id, deviceIndex: 1 });

    expect(((await resizeVolume(core, alice, { volume: "data", sizeGiB: 20 }).catch((e: CarveError) => e)) as CarveError).message).toContain("volumes only grow");
    const resize = await resizeVolume(core, alice, { volume: "data", sizeGiB: 30 });
    expect(payloadOf(resize.id)).toMatchObject({ sizeGiB: 30, attachedTo: { vmId: vm.id, deviceIndex: 1 } });
    await answer(resize.id, { result: { volumeId: volume.id, sizeGiB: 30, live: true } });
    expect((await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).sizeGiB).toBe(30);
    expect((await reserved("pool-1")) - before).toBe(30n * GIB);

    expect(((await deleteVolume(core, alice, { volume: "data" }).catch((e: CarveError) => e)) as CarveError).message).toBe("Volume data is attached to web: detach it first (carve volume detach data).");
    const detach = await detachVolume(core, alice, { volume: "data" });
    await answer(detach.id, { result: { volumeId: volume.id, vmId: vm.id, live: true, alreadyDetached: false } });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Ready", vmId: null, deviceIndex: null });

    const del = await deleteVolume(core, alice, { volume: "data" });
    expect((await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).state).toBe("Deleting");
    await answer(del.id, { result: { volumeId: volume.id, removed: true } });
    expect((await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).state).toBe("Deleted");
    expect(await reserved("pool-1")).toBe(before);
  });

  it("lists the owner's volumes only (admins all), a page at a time", async () => {
    const { alice, admin } = await setup();
    const bob = await createTestUser(core, "bob");
    for (const name of ["a", "b", "c"]) await createVolume(core, alice, { name, diskOffering: "ten" });
    const first = await listVolumes(core, alice, { limit: 2 });
    expect(first.items.map((v) => v.name)).toEqual(["c", "b"]);
    const second = await listVolumes(core, alice, { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((v) => v.name)).toEqual(["a"]);
    expect((await listVolumes(core, bob)).items).toEqual([]);
    expect((await listVolumes(core, admin, { owner: "alice" })).items).toHaveLength(3);
    expect(await attachVolume(core, bob, { volume: "a", vm: "x" }).catch((e: CarveError) => e.code)).toBe("VOLUME_NOT_FOUND");
  });

  it("refuses to attach a volume on another host's local pool, naming the migrate command and the pools that would work", async () => {
    const { admin, alice, template } = await setup();
    const shared = await core.db.storagePool.create({
      data: { name: "nfs", libvirtName: "nfs", path: "/mnt/nfs", scope: "Shared", capacityBytes: 500n * GIB, capacityReportedAt: new Date(), hosts: { create: [{ hostId: (await core.db.host.findFirstOrThrow({ where: { name: "host-1" } })).id }, { hostId: (await core.db.host.findFirstOrThrow({ where: { name: "host-2" } })).id }] } },
    });
    await core.db.templateCopy.create({ data: { templateId: template.id, poolId: shared.id, volumeName: "tiny.qcow2" } });
    await vmOn(alice, "one", "host-1");
    const { vm: two } = await vmOn(alice, "two", "host-2");
    const { volume, job } = await createVolume(core, alice, { name: "logs", diskOffering: "ten", vm: "one" });
    await answer(job.id, { result: { volumeId: volume.id, path: "/p/logs", alreadyPresent: false } });
    const error = (await attachVolume(core, alice, { volume: "logs", vm: "two" }).catch((e: CarveError) => e)) as CarveError;
    expect(error.code).toBe("VOLUME_ON_OTHER_HOST");
    expect(error.message).toBe("volume logs is on host host-1's local pool; migrate it to host host-2 or to shared storage: carve volume migrate logs --pool pool-2");
    expect(error.details).toMatchObject({
      volume: { id: volume.id, name: "logs" },
      fromHost: "host-1",
      toHost: "host-2",
      suggestedPools: [{ name: "pool-2", scope: "Local" }, { name: "nfs", scope: "Shared" }],
    });
    // Nothing was claimed: the volume and VM are free for the fix.
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Ready", activeJobId: null });
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: two.id } })).activeJobId).toBeNull();
    expect(admin).toBeTruthy();
  });

  it("a stopped VM takes a volume too; destroying the VM keeps its data volumes detached unless asked", async () => {
    const { alice } = await setup();
    const { vm } = await vmOn(alice, "db", "host-1");
    const stop = await stopVm(core, alice, { vm: "db" });
    await answer(stop.id, { result: { vmId: vm.id, state: "stopped", forced: false } });
    const { volume, job } = await createVolume(core, alice, { name: "pg", diskOffering: "ten", vm: "db" });
    await answer(job.id, { result: { volumeId: volume.id, path: "/p/pg", alreadyPresent: false } });
    const attach = await attachVolume(core, alice, { volume: "pg", vm: "db" });
    await answer(attach.id, { result: { volumeId: volume.id, vmId: vm.id, target: "vdb", live: false, alreadyAttached: false } });

    const destroy = await destroyVm(core, alice, { vm: "db" });
    const listed = (payloadOf(destroy.id).volumes as { volumeId: string }[]).map((v) => v.volumeId);
    expect(listed).not.toContain(volume.id);
    await answer(destroy.id, { result: { vmId: vm.id, removedDomain: true, removedVolumes: [] } });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).toMatchObject({ state: "Ready", vmId: null, deviceIndex: null });

    const { vm: again } = await vmOn(alice, "db2", "host-1");
    const reattach = await attachVolume(core, alice, { volume: "pg", vm: "db2" });
    await answer(reattach.id, { result: { volumeId: volume.id, vmId: again.id, target: "vdb", live: true, alreadyAttached: false } });
    const gone = await destroyVm(core, alice, { vm: "db2", withVolumes: true });
    expect((payloadOf(gone.id).volumes as { volumeId: string }[]).map((v) => v.volumeId)).toContain(volume.id);
    await answer(gone.id, { result: { vmId: again.id, removedDomain: true, removedVolumes: [] } });
    expect((await core.db.volume.findUniqueOrThrow({ where: { id: volume.id } })).state).toBe("Deleted");
  });
});

describe("createVm with data disks", () => {
  it("puts the root disk on shared storage and a big data disk on local storage", async () => {
    const { admin, alice, template, hosts } = await setup();
    const shared = await core.db.storagePool.create({
      data: { name: "nfs", libvirtName: "nfs", path: "/mnt/nfs", scope: "Shared", capacityBytes: 100n * GIB, capacityReportedAt: new Date(), hosts: { create: hosts.map((h) => ({ hostId: h.host.id })) } },
    });
    await core.db.templateCopy.create({ data: { templateId: template.id, poolId: shared.id, volumeName: "tiny.qcow2" } });
    await core.db.serviceOffering.create({ data: { name: "on-nfs", vcpus: 1, memoryMiB: 512, rootDiskGiB: 5, rootScope: "Shared" } });
    await createDiskOffering(core, admin, { name: "scratch", sizeGiB: 500, scope: "Local" });
    await createDiskOffering(core, admin, { name: "fast", minSizeGiB: 1, maxSizeGiB: 64, scope: "Shared" });

    const { vm, job } = await createVm(core, alice, { name: "big", template: "tiny", offering: "on-nfs", dataDisks: [{ diskOffering: "scratch" }, { diskOffering: "fast", sizeGiB: 8 }] });
    const payload = payloadOf(job.id) as { rootVolume: { pool: string }; dataVolumes: { pool: string; sizeGiB: number; deviceIndex: number }[] };
    expect(payload.rootVolume.pool).toBe("nfs");
    expect(payload.dataVolumes.map((v) => [v.pool, v.sizeGiB, v.deviceIndex])).toEqual([["default", 500, 1], ["nfs", 8, 2]]);
    const volumes = await core.db.volume.findMany({ where: { vmId: vm.id }, include: { pool: true }, orderBy: { deviceIndex: "asc" } });
    expect(volumes.map((v) => [v.kind, v.pool.name === "nfs" ? "nfs" : v.pool.scope, v.sizeGiB, v.state])).toEqual([
      ["Data", "Local", 500, "Allocating"],
      ["Data", "nfs", 8, "Allocating"],
      ["Root", "nfs", 5, "Allocating"],
    ]);
    expect(await reserved("nfs")).toBe(13n * GIB);
    await answer(job.id, vmCreated(vm.id));
    expect((await core.db.volume.findMany({ where: { vmId: vm.id } })).every((v) => v.state === "Attached")).toBe(true);
  });

  it("explains, per data disk, why no host has a pool for it", async () => {
    const { admin, alice } = await setup();
    await createDiskOffering(core, admin, { name: "huge", sizeGiB: 2000, scope: "Local" });
    await createDiskOffering(core, admin, { name: "ssd", sizeGiB: 1, scope: "Local", storageTags: ["ssd"] });
    const error = (await createVm(core, alice, { name: "x", template: "tiny", offering: "small", dataDisks: [{ diskOffering: "huge" }, { diskOffering: "ssd" }] }).catch((e: CarveError) => e)) as CarveError;
    expect(error.code).toBe("NO_CAPACITY");
    expect(error.message).toContain("host-1 has no pool for data disk 1 (2000 GiB huge) (pool-1 has 850 GiB free below its 85 % threshold, 2000 GiB needed); no pool for data disk 2 (1 GiB ssd) (pool-1 lacks storage tag ssd)");
    expect(await core.db.vm.count()).toBe(0);
    expect((await core.db.storagePool.findMany()).every((p) => p.reservedBytes === 0n)).toBe(true);
    expect((await core.db.host.findMany()).every((h) => h.vcpusAllocated === 0)).toBe(true);
    const unknown = (await createVm(core, alice, { name: "y", template: "tiny", offering: "small", dataDisks: [{ diskOffering: "nope" }] }).catch((e: CarveError) => e)) as CarveError;
    expect(unknown.fields?.[0]?.field).toBe("dataDisks.0.diskOffering");
  });
});
