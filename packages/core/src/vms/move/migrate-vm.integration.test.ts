import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TJobEnvelope } from "@carve/protocol";
import { cancelHostMaintenance } from "../../hosts/maintenance/cancel-host-maintenance.ts";
import { prepareHostMaintenance } from "../../hosts/maintenance/prepare-host-maintenance.ts";
import { refreshHostStates } from "../../hosts/refresh-host-states.ts";
import { sweepJobs } from "../../jobs/sweep-jobs.ts";
import { reconcileHosts } from "../../reconcile/reconcile-hosts.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../../testing/index.ts";
import { cancelVmMigration } from "./cancel-vm-migration.ts";
import { createVm } from "../create-vm.ts";
import { migrateVm } from "./migrate-vm.ts";
import { createNetwork } from "../../networks/create-network.ts";

const GRACE = 10_000;
let core: TTestCore;
let clock: number;

beforeEach(async () => {
  core = await createTestCore();
  clock = Date.now();
  core.now = () => new Date(clock);
});
afterEach(async () => {
  await core.drop();
});

function beat(hostId: string, migration = true): void {
  core.queues.beat(hostId, new Date(clock), migration ? { migration: { uri: `qemu+tcp://${hostId.slice(0, 8)}/system`, address: "tcp://10.0.0.9", consoleLogDir: "/var/log/carve/console" } } : {});
}

/**
 * Two Up hosts that accept live migrations, and a Running VM (root disk on host-1's local pool);
 * with `network`, on a default Managed network both hosts have.
 */
async function runningVm(options: { network?: boolean } = {}) {
  const alice = await createTestUser(core, "alice");
  const admin = await createTestUser(core, "ops", "Admin");
  const { hosts } = await seedInfra(core, { hosts: 2, uriOf: (i) => `qemu:///h${i}` });
  // Spread puts the VM on host-1 when host-2 has less room.
  await core.db.host.update({ where: { id: hosts[1]?.host.id ?? "" }, data: { memoryMiB: 8192 } });
  for (const h of hosts) beat(h.host.id);
  await refreshHostStates(core, { graceMs: GRACE });
  await core.db.host.update({ where: { id: hosts[1]?.host.id ?? "" }, data: { memoryMiB: 8192 } });
  if (options.network) {
    await createNetwork(core, admin, { name: "dev-nat", kind: "Managed", cidr: "10.9.0.0/24", gateway: "10.9.0.1", rangeStart: "10.9.0.10", rangeEnd: "10.9.0.99", hosts: ["host-1", "host-2"], isDefault: true });
  }
  const { vm, job } = await createVm(core, alice, { name: "web", template: "tiny", offering: "small" });
  core.queues.settle(job.id, { result: { vmId: vm.id, domainUuid: vm.id, state: "running", rootVolumePath: `/p/${vm.id}` } });
  await sweepJobs(core);
  const [one, two] = hosts;
  if (!one || !two) throw new Error("no hosts");
  expect((await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).hostId).toBe(one.host.id);
  return { alice, admin, vm, one, two };
}

const host = (id: string) => core.db.host.findUniqueOrThrow({ where: { id }, select: { vcpusAllocated: true, memMiBAllocated: true, state: true } });
const pool = (id: string) => core.db.storagePool.findUniqueOrThrow({ where: { id }, select: { reservedBytes: true } });
const GIB = 1024n ** 3n;

describe("live migration (core, with the agent played by the test)", () => {
  it("sends vm.migrate to the source with the target's migration URI and the local disk to copy; success moves host, capacity and volume", async () => {
    const { admin, vm, one, two } = await runningVm();
    const job = await migrateVm(core, admin, { vm: "web" });
    expect(job).toMatchObject({ kind: "vm.migrate", hostId: one.host.id });
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Migrating");
    const sent = core.queues.jobs.get(job.id);
    expect(sent?.hostId).toBe(one.host.id);
    const payload = (sent?.envelope as TJobEnvelope).payload as Record<string, unknown>;
    expect(payload).toMatchObject({
      vmId: vm.id,
      destination: { hostName: "host-2", uri: `qemu+tcp://${two.host.id.slice(0, 8)}/system`, address: "tcp://10.0.0.9" },
      disks: [{ source: { pool: "default" }, target: { pool: "default" }, capacityBytes: 1024 ** 3, format: "qcow2" }],
      trustSharedStorage: false,
      timeoutSec: 1800,
    });
    // Reserved on the target while it runs: the VM and its copied disk.
    expect(await host(two.host.id)).toMatchObject({ vcpusAllocated: 1, memMiBAllocated: 512 });
    expect((await pool(two.pool.id)).reservedBytes).toBe(GIB);
    await expect(migrateVm(core, admin, { vm: "web" })).rejects.toMatchObject({ code: "VM_BUSY" });

    const root = await core.db.volume.findFirstOrThrow({ where: { vmId: vm.id } });
    core.queues.settle(job.id, { result: { vmId: vm.id, state: "running", durationMs: 2400, diskPaths: [{ volumeId: root.id, path: "/b/root.qcow2" }] } });
    await sweepJobs(core);
    const after = await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(after).toMatchObject({ state: "Running", hostId: two.host.id, activeJobId: null });
    expect(await host(one.host.id)).toMatchObject({ vcpusAllocated: 0, memMiBAllocated: 0 });
    expect(await host(two.host.id)).toMatchObject({ vcpusAllocated: 1, memMiBAllocated: 512 });
    expect(await core.db.volume.findUniqueOrThrow({ where: { id: root.id } })).toMatchObject({ poolId: two.pool.id, path: "/b/root.qcow2" });
    expect((await pool(one.pool.id)).reservedBytes).toBe(0n);
    const moved = await core.db.event.findFirstOrThrow({ where: { vmId: vm.id, type: "vm.moved" } });
    expect(moved.message).toBe("web live-migrated from host-1 to host-2 in 2.4 s");
  });

  it("after a successful live migration with a local disk, the disk file left in the source pool is deleted on the source host (issue 19)", async () => {
    const { admin, vm, one } = await runningVm();
    const job = await migrateVm(core, admin, { vm: "web" });
    const root = await core.db.volume.findFirstOrThrow({ where: { vmId: vm.id } });
    core.queues.settle(job.id, { result: { vmId: vm.id, state: "running", durationMs: 2400, diskPaths: [{ volumeId: root.id, path: "/b/root.qcow2" }] } });
    await sweepJobs(core);
    const cleanup = await core.db.job.findFirstOrThrow({ where: { kind: "drift.remove" } });
    expect(cleanup).toMatchObject({ hostId: one.host.id, state: "Queued" });
    expect(cleanup.request).toMatchObject({ payload: { kind: "volume", pool: "default", name: root.libvirtName } });
  });

  it("a VM on a network travels with its NICs and its security filter, which the destination needs before the VM arrives", async () => {
    const { admin, vm } = await runningVm({ network: true });
    const job = await migrateVm(core, admin, { vm: "web" });
    const payload = (core.queues.jobs.get(job.id)?.envelope as TJobEnvelope).payload as Record<string, unknown>;
    expect(payload).toMatchObject({
      nics: [{ network: { kind: "managed", name: "dev-nat" }, ip: "10.9.0.10", filter: `carve-vm-${vm.id}` }],
      // The owner's default group: SSH in from the company networks.
      filter: { name: `carve-vm-${vm.id}`, ip: "10.9.0.10", rules: expect.arrayContaining([expect.objectContaining({ protocol: "tcp", portFrom: 22 })]) },
    });
  });

  it("a failed migration leaves the VM Running on its source with the reason and gives the target's reservation back", async () => {
    const { admin, vm, one, two } = await runningVm();
    const job = await migrateVm(core, admin, { vm: "web", host: "host-2" });
    core.queues.settle(job.id, { reason: "live migration of carve-x failed: it was aborted (cancelled); the VM keeps running on this host" });
    await sweepJobs(core);
    const after = await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } });
    expect(after).toMatchObject({ state: "Running", hostId: one.host.id, activeJobId: null });
    expect(after.stateReason).toMatch(/^migrate of web failed on host-1: .*aborted \(cancelled\)/);
    expect(await host(one.host.id)).toMatchObject({ vcpusAllocated: 1, memMiBAllocated: 512 });
    expect(await host(two.host.id)).toMatchObject({ vcpusAllocated: 0, memMiBAllocated: 0 });
    expect((await pool(two.pool.id)).reservedBytes).toBe(0n);
  });

  it("refuses with reasons: not an admin, a target that is full, in maintenance or cannot receive migrations; cancel reaches the source's agent", async () => {
    const { alice, admin, one, two } = await runningVm();
    await expect(migrateVm(core, alice, { vm: "web" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(migrateVm(core, admin, { vm: "web", host: "host-1" })).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/already runs on host-1/) });
    await core.db.host.update({ where: { id: two.host.id }, data: { memMiBAllocated: 8000 } });
    await expect(migrateVm(core, admin, { vm: "web" })).rejects.toMatchObject({
      code: "NO_CAPACITY",
      message: expect.stringMatching(/host-2 has 192 MiB free memory, 512 MiB needed/),
    });
    await core.db.host.update({ where: { id: two.host.id }, data: { memMiBAllocated: 0, state: "Maintenance" } });
    await expect(migrateVm(core, admin, { vm: "web" })).rejects.toMatchObject({ message: expect.stringMatching(/host-2 is Maintenance/) });
    await core.db.host.update({ where: { id: two.host.id }, data: { state: "Up", migrationUri: null } });
    await expect(migrateVm(core, admin, { vm: "web" })).rejects.toMatchObject({ message: expect.stringMatching(/host-2 cannot receive live migrations/) });
    await core.db.host.update({ where: { id: two.host.id }, data: { migrationUri: "qemu+tcp://h2/system" } });

    await expect(cancelVmMigration(core, admin, { vm: "web" })).rejects.toMatchObject({ code: "INVALID_STATE" });
    const job = await migrateVm(core, admin, { vm: "web" });
    await cancelVmMigration(core, admin, { vm: "web" });
    expect(core.queues.cancelRequests.has(job.id)).toBe(true);
    expect(core.queues.jobs.get(job.id)?.hostId).toBe(one.host.id);
  });
});

describe("maintenance and an agent that goes silent", () => {
  it("a host silent in PrepareForMaintenance keeps that state, its VMs turn Unknown; its return triggers reconciliation, which maintenance hosts get too", async () => {
    const { admin, vm, one } = await runningVm();
    // The only VM cannot move (host-2 full), so maintenance stops and the host stays PrepareForMaintenance.
    await core.db.host.updateMany({ where: { name: "host-2" }, data: { memMiBAllocated: 8192 } });
    const { job } = await prepareHostMaintenance(core, admin, { host: "host-1" });
    expect((await core.db.job.findUniqueOrThrow({ where: { id: job.id } })).errorMessage).toMatch(/cannot move web: No other host can take web: .*host-2 has 0 MiB free memory/);
    expect((await host(one.host.id)).state).toBe("PrepareForMaintenance");

    clock += GRACE + 1_000;
    await refreshHostStates(core, { graceMs: GRACE });
    expect((await host(one.host.id)).state).toBe("PrepareForMaintenance");
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Unknown");

    beat(one.host.id);
    await refreshHostStates(core, { graceMs: GRACE });
    const inventory = await core.db.job.findFirstOrThrow({ where: { hostId: one.host.id, kind: "host.inventory", state: "Queued" } });
    core.queues.settle(inventory.id, { result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains: [{ name: `carve-${vm.id}`, uuid: vm.id, state: "running" }], pools: [] } });
    await sweepJobs(core);
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).state).toBe("Running");

    // Periodic reconciliation asks hosts in maintenance too.
    clock += 120_000;
    const asked = await reconcileHosts(core, { everyMs: 60_000 });
    expect(asked.requested).toBe(1);
    expect(await core.db.job.count({ where: { hostId: one.host.id, kind: "host.inventory", state: "Queued" } })).toBe(1);

    const cancelled = await cancelHostMaintenance(core, admin, { host: "host-1" });
    expect(cancelled.host.state).toBe("Up");
    expect((await host(one.host.id)).state).toBe("Up");
  });
});
