import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newJoinKeyPair, type THeartbeat } from "@carve/protocol";
import { finaliseJob } from "../../jobs/finalise-job.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../../testing/index.ts";
import { migrateVolume } from "../../volumes/migrate-volume.ts";
import { createVm } from "../create-vm.ts";
import { migrateVm } from "./migrate-vm.ts";
import { stopVm } from "../stop-vm.ts";

let core: TTestCore;
let infra: Awaited<ReturnType<typeof seedInfra>>;
const keys = [newJoinKeyPair(), newJoinKeyPair()];
const GIB = 1024n ** 3n;

beforeEach(async () => {
  core = await createTestCore();
  infra = await seedInfra(core, { hosts: 2, poolGiB: 100 });
  for (const [i, { host }] of infra.hosts.entries()) {
    await core.db.host.update({ where: { id: host.id }, data: { sealKey: keys[i]?.publicKey ?? null } });
    const beat: THeartbeat = { at: new Date().toISOString(), hostname: "h", cpus: 8, memoryMiB: 16384, agentVersion: "test", protocolVersion: 1, pools: [], storageMigration: { address: `127.0.0.1:${7100 + i}` } };
    core.queues.heartbeats.set(host.id, beat);
  }
});
afterEach(async () => {
  await core.drop();
});

/** A stopped VM on host-1 with its root disk and a 10 GiB data disk on host-1's local pool. */
async function stoppedVmWithLocalDisks() {
  const [one, two] = infra.hosts;
  if (!one || !two) throw new Error("no hosts");
  // Spread placement puts the VM on the host with more room.
  await core.db.host.update({ where: { id: two.host.id }, data: { memoryMiB: 8192 } });
  const alice = await createTestUser(core, "alice");
  const admin = await createTestUser(core, "ops", "Admin");
  const { vm, job } = await createVm(core, alice, { name: "web", template: "tiny", offering: "small" });
  await finaliseJob(core, job.id, { ok: true, result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: "/var/lib/carve/pool-1/root" } });
  const stop = await stopVm(core, alice, { vm: "web", force: true });
  await finaliseJob(core, stop.id, { ok: true, result: { vmId: vm.id, state: "stopped" } });
  const data = await core.db.volume.create({
    data: { name: "web-data", kind: "Data", ownerId: alice.userId, poolId: one.pool.id, libvirtName: "carve-vol-web-data", sizeGiB: 10, state: "Attached", vmId: vm.id, deviceIndex: 1, path: "/var/lib/carve/pool-1/data" },
  });
  await core.db.storagePool.update({ where: { id: one.pool.id }, data: { reservedBytes: { increment: 10n * GIB } } });
  expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Stopped", hostId: one.host.id });
  const root = await core.db.volume.findFirstOrThrow({ where: { vmId: vm.id, kind: "Root" } });
  return { alice, admin, vm, root, data, one, two };
}

const hostLoad = (id: string) => core.db.host.findUniqueOrThrow({ where: { id }, select: { vcpusAllocated: true, memMiBAllocated: true } });
const reserved = async (id: string) => (await core.db.storagePool.findUniqueOrThrow({ where: { id }, select: { reservedBytes: true } })).reservedBytes;
const queued = (name: string) => [...core.queues.jobs.entries()].filter(([, j]) => j.name === name);
const payloadOf = (jobId: string) => core.queues.jobs.get(jobId)?.envelope.payload as Record<string, unknown>;

/** Plays the sending agent: the copy verified on the destination, the source kept. */
async function copyDone(sendId: string, volumeId: string, path: string) {
  await finaliseJob(core, sendId, { ok: true, result: { volumeId, path, bytes: 1024, sha256: "a".repeat(64), durationMs: 500, sourceDeleted: false } });
}

describe("a stopped VM moves to another host with its local disks (core, the agents played by the test)", () => {
  it("copies each local disk by storage migration, defines it on the target with the copies (root rebased), undefines it on the source, then deletes the sources", async () => {
    const { admin, vm, root, data, one, two } = await stoppedVmWithLocalDisks();
    const oneBefore = await hostLoad(one.host.id);
    const parent = await migrateVm(core, admin, { vm: "web", host: "host-2" });
    expect(parent).toMatchObject({ kind: "vm.cold-move", state: "Running", vmId: vm.id });
    expect(parent.step).toMatch(/copying disk .* \(1 of 2, 1 GiB\) to pool pool-2 on host-2/);
    expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Migrating", activeJobId: parent.id });
    // The target is reserved now: the VM and both disks.
    expect(await hostLoad(two.host.id)).toEqual({ vcpusAllocated: 1, memMiBAllocated: 512 });
    expect(await reserved(two.pool.id)).toBe(11n * GIB);

    // The root disk first, by the storage-migration stream, the source kept.
    const [firstSend] = queued("volume.migrate");
    expect(firstSend?.[1]).toMatchObject({ hostId: one.host.id });
    expect(payloadOf(firstSend?.[0] ?? "")).toMatchObject({ volumeId: root.id, source: { pool: "default", name: root.libvirtName }, destination: { hostName: "host-2", address: "127.0.0.1:7101", pool: "default" }, keepSource: true });
    expect(payloadOf(firstSend?.[0] ?? "")).not.toHaveProperty("disk");
    expect(queued("volume.migrate-receive")[0]?.[1].hostId).toBe(two.host.id);
    await copyDone(firstSend?.[0] ?? "", root.id, "/var/lib/carve/pool-2/root");
    // Nothing changed on record yet: the source stays authoritative until the VM is re-homed.
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: root.id } })).toMatchObject({ poolId: one.pool.id });

    const secondSend = queued("volume.migrate")[1];
    expect(payloadOf(secondSend?.[0] ?? "")).toMatchObject({ volumeId: data.id, keepSource: true });
    expect((await core.db.job.findUniqueOrThrow({ where: { id: parent.id } })).step).toMatch(/\(2 of 2, 10 GiB\)/);
    await copyDone(secondSend?.[0] ?? "", data.id, "/var/lib/carve/pool-2/data");

    const [define] = queued("vm.define");
    expect(define?.[1].hostId).toBe(two.host.id);
    expect(payloadOf(define?.[0] ?? "")).toMatchObject({
      vmId: vm.id,
      rootVolume: { volumeId: root.id, pool: "default", name: root.libvirtName, rebaseOnto: { pool: "default", name: "tiny.qcow2", format: "qcow2" } },
      dataVolumes: [{ volumeId: data.id, pool: "default", name: "carve-vol-web-data", deviceIndex: 1 }],
    });
    await finaliseJob(core, define?.[0] ?? "", { ok: true, result: { vmId: vm.id, state: "stopped", rootVolumePath: "/var/lib/carve/pool-2/root" } });
    const [undefine] = queued("vm.undefine");
    expect(undefine?.[1].hostId).toBe(one.host.id);
    await finaliseJob(core, undefine?.[0] ?? "", { ok: true, result: { vmId: vm.id, removedDomain: true } });

    const done = await core.db.job.findUniqueOrThrow({ where: { id: parent.id } });
    expect(done).toMatchObject({ state: "Succeeded", progress: 100, step: "moved to host-2" });
    expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Stopped", hostId: two.host.id, activeJobId: null, stateReason: null });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: root.id } })).toMatchObject({ poolId: two.pool.id, path: "/var/lib/carve/pool-2/root", state: "Attached" });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: data.id } })).toMatchObject({ poolId: two.pool.id, path: "/var/lib/carve/pool-2/data", state: "Attached" });
    // Capacity moved: the source's share given back, the target keeps what it reserved.
    expect(await hostLoad(one.host.id)).toEqual({ vcpusAllocated: oneBefore.vcpusAllocated - 1, memMiBAllocated: oneBefore.memMiBAllocated - 512 });
    expect(await reserved(one.pool.id)).toBe(0n);
    expect(await reserved(two.pool.id)).toBe(11n * GIB);
    // The source files go only now, on the source host.
    const deletes = queued("volume.delete").map(([, j]) => ({ hostId: j.hostId, payload: j.envelope.payload }));
    expect(deletes).toEqual(
      expect.arrayContaining([
        { hostId: one.host.id, payload: { volumeId: root.id, pool: "default", name: root.libvirtName } },
        { hostId: one.host.id, payload: { volumeId: data.id, pool: "default", name: "carve-vol-web-data" } },
      ]),
    );
    expect(deletes).toHaveLength(2);
    const event = await core.db.event.findFirstOrThrow({ where: { jobId: parent.id, type: "vm.moved" } });
    console.info(event.message);
  });

  it("a copy that fails leaves the VM Stopped on its source, deletes the copies already made on the target, gives the reservation back and names the retry", async () => {
    const { admin, vm, root, one, two } = await stoppedVmWithLocalDisks();
    const parent = await migrateVm(core, admin, { vm: "web", host: "host-2" });
    const [firstSend] = queued("volume.migrate");
    await copyDone(firstSend?.[0] ?? "", root.id, "/var/lib/carve/pool-2/root");
    const secondSend = queued("volume.migrate")[1];
    const secondReceive = queued("volume.migrate-receive")[1];
    await finaliseJob(core, secondSend?.[0] ?? "", { ok: false, message: "the stream to host-2 (127.0.0.1:7101) broke (connection reset); the source copy was kept" });

    const failed = await core.db.job.findUniqueOrThrow({ where: { id: parent.id } });
    expect(failed.state).toBe("Failed");
    expect(failed.errorMessage).toBe(
      "Moving VM web from host-1 to host-2 failed: the stream to host-2 (127.0.0.1:7101) broke (connection reset); the source copy was kept. The VM is Stopped on host-1, intact, with its disks where they were. The 1 disk copy already made on host-2 is being deleted from pool pool-2. Retry with 'carve vm migrate web --host host-2'.",
    );
    expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Stopped", hostId: one.host.id, activeJobId: null });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: root.id } })).toMatchObject({ poolId: one.pool.id, state: "Attached" });
    expect(await hostLoad(two.host.id)).toEqual({ vcpusAllocated: 0, memMiBAllocated: 0 });
    expect(await reserved(two.pool.id)).toBe(0n);
    expect(core.queues.cancelRequests.has(secondReceive?.[0] ?? "")).toBe(true);
    // The root's verified copy is removed from the target pool; nothing is deleted on the source.
    expect(queued("volume.delete").map(([, j]) => ({ hostId: j.hostId, payload: j.envelope.payload }))).toEqual([{ hostId: two.host.id, payload: { volumeId: root.id, pool: "default", name: root.libvirtName } }]);
    expect(queued("vm.define")).toEqual([]);

    // And it can be tried again at once.
    const again = await migrateVm(core, admin, { vm: "web", host: "host-2" });
    expect(again).toMatchObject({ kind: "vm.cold-move", state: "Running" });
  });

  it("a define that fails on the target rolls back the same way", async () => {
    const { admin, vm, root, data, one, two } = await stoppedVmWithLocalDisks();
    const parent = await migrateVm(core, admin, { vm: "web" });
    await copyDone(queued("volume.migrate")[0]?.[0] ?? "", root.id, "/p2/root");
    await copyDone(queued("volume.migrate")[1]?.[0] ?? "", data.id, "/p2/data");
    await finaliseJob(core, queued("vm.define")[0]?.[0] ?? "", { ok: false, message: "qemu-img could not rebase /p2/root onto /p2/tiny.qcow2: No such file" });
    const failed = await core.db.job.findUniqueOrThrow({ where: { id: parent.id } });
    expect(failed.state).toBe("Failed");
    expect(failed.errorMessage).toMatch(/^Moving VM web from host-1 to host-2 failed: moving web to host-2 failed: qemu-img could not rebase .*The 2 disk copies already made on host-2 are being deleted from pool pool-2\. Retry with 'carve vm migrate web --host host-2'\.$/);
    expect(await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).toMatchObject({ state: "Stopped", hostId: one.host.id, activeJobId: null });
    expect(await hostLoad(two.host.id)).toEqual({ vcpusAllocated: 0, memMiBAllocated: 0 });
    expect(await reserved(two.pool.id)).toBe(0n);
    expect(queued("volume.delete").every(([, j]) => j.hostId === two.host.id)).toBe(true);
    expect(queued("volume.delete")).toHaveLength(2);
  });

  it("moving one disk of a stopped VM to another host's pool is refused with the command that moves the VM", async () => {
    const { alice } = await stoppedVmWithLocalDisks();
    await expect(migrateVolume(core, alice, { volume: "web-data", pool: "pool-2" })).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: expect.stringContaining("'carve vm migrate web --host host-2'"),
    });
  });
});
