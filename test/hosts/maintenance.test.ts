import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addHost,
  addPool,
  addTemplate,
  cancelHostMaintenance,
  createOffering,
  createVm,
  destroyVm,
  getVm,
  inspectHost,
  migrateVm,
  planHostMaintenance,
  planVm,
  prepareHostMaintenance,
  stopVm,
  type TActor,
  type TMaintenancePlan,
} from "@carve/core";
import { TEST_TEMPLATE, writeTestNodeXml } from "@carve/agent/testing";
import { domainName, envelope } from "@carve/protocol";
import { Stack, until } from "../lib/stack/stack.ts";
import { createUser } from "../lib/stack/users.ts";

type TInventory = { domains: { name: string; state: string }[] };

let stack: Stack;
let admin: TActor;
let dev: TActor;
const ids: Record<string, string> = {};

async function inventory(hostId: string): Promise<TInventory> {
  const job = await stack.finish(admin, (await inspectHost(stack.core, admin, hostId)).id);
  expect(job.state).toBe("Succeeded");
  return job.result as TInventory;
}

async function vmOn(name: string): Promise<{ state: string; host: string | undefined; reason: string | null }> {
  const vm = await getVm(stack.core, admin, { vm: name });
  return { state: vm.state, host: vm.host?.name, reason: vm.stateReason };
}

async function created(name: string, offering: string, stopped: boolean): Promise<void> {
  const { job } = await createVm(stack.core, dev, { name, template: "tiny", offering });
  expect((await stack.finish(dev, job.id)).state).toBe("Succeeded");
  if (stopped) expect((await stack.finish(dev, (await stopVm(stack.core, dev, { vm: name, force: true })).id)).state).toBe("Succeeded");
}

/**
 * libvirt's test driver keeps each host's pools in its own process, so a "shared" pool's volumes
 * exist only where they were made. A real shared pool (NFS) shows every host the same files; this
 * gives host `hostId` the same volume, which is all a cold move relies on.
 */
async function shareVolume(hostId: string, vmName: string): Promise<void> {
  const vm = await getVm(stack.core, admin, { vm: vmName });
  const root = vm.volumes.find((v) => v.kind === "Root");
  if (!root) throw new Error(`${vmName} has no root volume`);
  const row = await stack.core.db.volume.findUniqueOrThrow({ where: { id: root.id }, select: { libvirtName: true } });
  const jobId = randomUUID();
  await stack.core.queues.enqueue(hostId, [{ name: "volume.create", envelope: envelope("volume.create", jobId, { volumeId: root.id, pool: "shared", name: row.libvirtName, sizeGiB: root.sizeGiB }) }]);
  await until(async () => (await stack.core.queues.outcome(hostId, jobId)).state === "completed", 30_000, `the shared volume of ${vmName} on the other host`);
}

function move(plan: TMaintenancePlan, vm: string) {
  const found = plan.moves.find((m) => m.vm.name === vm);
  if (!found) throw new Error(`${vm} is not in the plan`);
  return found;
}

beforeAll(async () => {
  stack = await new Stack().init();
  admin = await createUser(stack.core, "ops", "Admin");
  dev = await createUser(stack.core, "dev", "User");
  await stack.startController();
  // host-1 is big (spread placement puts every new VM there); host-2 shares pool `shared` with it;
  // host-3 has only its local pool.
  const shape = [
    { memoryMiB: 65_536, shared: true },
    { memoryMiB: 8_192, shared: true },
    { memoryMiB: 8_192, shared: false },
  ];
  const hosts = [];
  for (const [i, s] of shape.entries()) {
    const n = i + 1;
    const pools = [{ name: "default", volumes: [{ name: TEST_TEMPLATE }] }, ...(s.shared ? [{ name: "shared", volumes: [{ name: TEST_TEMPLATE }] }] : [])];
    const node = await writeTestNodeXml({ dir: join(stack.dir, `node-${n}`), cpus: 16, memoryMiB: s.memoryMiB, pools });
    const host = await addHost(stack.core, admin, { name: `host-${n}`, uri: node.uri });
    await addPool(stack.core, admin, { name: `local-${n}`, hosts: [host.id], libvirtName: "default", path: node.pools[0]?.path ?? node.dir });
    hosts.push({ host, node });
    ids[`host-${n}`] = host.id;
  }
  await addPool(stack.core, admin, { name: "shared", scope: "Shared", hosts: [ids["host-1"], ids["host-2"]], libvirtName: "shared", path: join(stack.dir, "shared") });
  await addTemplate(stack.core, admin, { name: "tiny", pools: ["local-1", "local-2", "local-3", "shared"], volume: TEST_TEMPLATE });
  await createOffering(stack.core, admin, { name: "on-shared", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 });
  await createOffering(stack.core, admin, { name: "on-local", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1 });
  await createOffering(stack.core, admin, { name: "big", vcpus: 2, memoryMiB: 12_288, rootDiskGiB: 1 });
  // Where root disks go is an offering setting with no front door yet: set it directly.
  await stack.core.db.serviceOffering.updateMany({ where: { name: { in: ["on-shared", "big"] } }, data: { rootScope: "Shared" } });
  await stack.core.db.serviceOffering.updateMany({ where: { name: "on-local" }, data: { rootScope: "Local" } });
  // Every agent accepts live migrations (the test driver then refuses to perform one).
  for (const { host, node } of hosts) await stack.startAgent(host.id, node.uri, { CARVE_MIGRATION_URI: "test:///default", CARVE_AGENT_MIGRATION_LISTEN: "off" });
  await stack.waitForHostsUp();
  await until(async () => (await stack.core.db.host.count({ where: { migrationUri: null } })) === 0, 30_000, "the hosts' migration URIs");

  await created("a-cold", "on-shared", true);
  await created("b-cold", "on-shared", true);
  await created("c-local", "on-local", true);
  await created("d-live", "on-shared", false);
  await created("e-big", "big", true);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe("host maintenance on libvirt's test driver: the plan, its execution, cancel", () => {
  it("plans every VM: stopped shared-storage VMs move cold, running ones live-migrate, blockers say why", async () => {
    for (const name of ["a-cold", "b-cold", "c-local", "d-live", "e-big"]) expect((await vmOn(name)).host).toBe("host-1");
    const plan = await planHostMaintenance(stack.core, admin, { host: "host-1" });
    console.info(plan.moves.map((m) => `${m.vm.name}: ${m.kind} → ${m.target?.name ?? "-"}${m.blocker ? ` (${m.blocker})` : ""}`).join("\n"));
    expect(move(plan, "a-cold")).toMatchObject({ kind: "cold-move", target: { name: "host-2" }, blocker: null, storageMotion: [] });
    expect(move(plan, "b-cold")).toMatchObject({ kind: "cold-move", target: { name: "host-2" }, blocker: null });
    expect(move(plan, "d-live")).toMatchObject({ kind: "live-migrate", target: { name: "host-2" }, blocker: null });
    // A stopped VM on local storage moves cold with its disk copied along (storage motion).
    expect(move(plan, "c-local")).toMatchObject({ kind: "cold-move", blocker: null, storageMotion: [{ pool: "local-1", sizeGiB: 1 }] });
    const big = move(plan, "e-big");
    expect(big.kind).toBe("blocked");
    expect(big.blocker).toMatch(/host-2 has \d+ MiB free memory, 12288 MiB needed/);
    expect(big.blocker).toMatch(/host-3 does not see shared pool shared/);
    expect(plan.blockers.map((b) => b.vm).sort()).toEqual(["e-big"]);
    // A dry run: nothing changed.
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: ids["host-1"] } })).state).toBe("Up");
  });

  it("refuses a move with the reason: no host can take it", async () => {
    // A stopped VM moves cold; host-3 cannot take it (nothing is reserved or started).
    await expect(migrateVm(stack.core, admin, { vm: "a-cold", host: "host-3" })).rejects.toMatchObject({
      code: "NO_CAPACITY",
      message: expect.stringMatching(/host-3 does not see shared pool shared/),
    });
    await expect(migrateVm(stack.core, admin, { vm: "d-live", host: "host-3" })).rejects.toMatchObject({
      code: "NO_CAPACITY",
      message: expect.stringMatching(/host-3 does not see shared pool shared/),
    });
    await expect(migrateVm(stack.core, dev, { vm: "d-live" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("executes: stopped VMs move cold to host-2, then maintenance stops at the first VM that cannot leave", async () => {
    await shareVolume(ids["host-2"] ?? "", "a-cold");
    await shareVolume(ids["host-2"] ?? "", "b-cold");
    const before = await stack.core.db.host.findMany({ where: { name: { in: ["host-1", "host-2"] } }, orderBy: { name: "asc" }, select: { vcpusAllocated: true, memMiBAllocated: true } });
    const { job } = await prepareHostMaintenance(stack.core, admin, { host: "host-1" });
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: ids["host-1"] } })).state).toBe("PrepareForMaintenance");
    // Placement skips a host being emptied.
    const plan = await planVm(stack.core, dev, { name: "new", template: "tiny", offering: "on-shared" });
    expect(plan.host?.name).toBe("host-2");
    expect(plan.rejections).toContainEqual({ host: "host-1", reason: "is PrepareForMaintenance" });

    const parent = await stack.finish(admin, job.id, 60_000);
    expect(parent.state).toBe("Failed");
    // These agents run no storage-migration receiver, so c-local's disk cannot be copied.
    expect(parent.errorMessage).toMatch(/cannot move c-local: Host host-\d cannot receive volumes/);
    expect(parent.errorMessage).toMatch(/host-1 stays in PrepareForMaintenance/);
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: ids["host-1"] } })).state).toBe("PrepareForMaintenance");
    const steps = await stack.core.db.job.findMany({ where: { parentJobId: job.id }, orderBy: { createdAt: "asc" }, select: { kind: true, state: true } });
    expect(steps).toEqual([
      { kind: "vm.define", state: "Succeeded" },
      { kind: "vm.undefine", state: "Succeeded" },
      { kind: "vm.define", state: "Succeeded" },
      { kind: "vm.undefine", state: "Succeeded" },
    ]);

    for (const name of ["a-cold", "b-cold"]) expect(await vmOn(name)).toEqual({ state: "Stopped", host: "host-2", reason: null });
    const a = await getVm(stack.core, admin, { vm: "a-cold" });
    const b = await getVm(stack.core, admin, { vm: "b-cold" });
    const onTwo = (await inventory(ids["host-2"] ?? "")).domains.map((d) => d.name);
    const onOne = (await inventory(ids["host-1"] ?? "")).domains.map((d) => d.name);
    expect(onTwo).toEqual(expect.arrayContaining([domainName(a.id), domainName(b.id)]));
    expect(onOne).not.toContain(domainName(a.id));
    expect(onOne).not.toContain(domainName(b.id));
    // Capacity moved with them: 2 × (1 vCPU, 512 MiB).
    const after = await stack.core.db.host.findMany({ where: { name: { in: ["host-1", "host-2"] } }, orderBy: { name: "asc" }, select: { vcpusAllocated: true, memMiBAllocated: true } });
    expect(after[0]).toEqual({ vcpusAllocated: (before[0]?.vcpusAllocated ?? 0) - 2, memMiBAllocated: (before[0]?.memMiBAllocated ?? 0) - 1024 });
    expect(after[1]).toEqual({ vcpusAllocated: (before[1]?.vcpusAllocated ?? 0) + 2, memMiBAllocated: (before[1]?.memMiBAllocated ?? 0) + 1024 });
  });

  it("a running VM is a live migration the test driver refuses: the VM keeps running on host-1, its reservation on host-2 is given back", async () => {
    for (const name of ["c-local", "e-big"]) await stack.finish(admin, (await destroyVm(stack.core, admin, { vm: name })).id);
    const hostTwo = await stack.core.db.host.findUniqueOrThrow({ where: { id: ids["host-2"] }, select: { memMiBAllocated: true } });
    const { job } = await prepareHostMaintenance(stack.core, admin, { host: "host-1" });
    const parent = await stack.finish(admin, job.id, 60_000);
    expect(parent.state).toBe("Failed");
    expect(parent.errorMessage).toMatch(/moving d-live failed: .*test driver \(test:\/\/\/\) cannot live-migrate/);
    expect(await vmOn("d-live")).toMatchObject({ state: "Running", host: "host-1" });
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: ids["host-2"] }, select: { memMiBAllocated: true } })).memMiBAllocated).toBe(hostTwo.memMiBAllocated);
    const migrate = await stack.core.db.job.findFirstOrThrow({ where: { parentJobId: job.id, kind: "vm.migrate" } });
    expect(migrate).toMatchObject({ state: "Failed", hostId: ids["host-1"] });
  });

  it("with every VM gone the host enters Maintenance; cancel returns it to Up and to placement", async () => {
    await stack.finish(admin, (await destroyVm(stack.core, admin, { vm: "d-live" })).id);
    const { job, plan } = await prepareHostMaintenance(stack.core, admin, { host: "host-1" });
    expect(plan.moves).toEqual([]);
    expect((await stack.finish(admin, job.id, 30_000)).state).toBe("Succeeded");
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: ids["host-1"] } })).state).toBe("Maintenance");
    await expect(prepareHostMaintenance(stack.core, admin, { host: "host-1" })).rejects.toMatchObject({ code: "INVALID_STATE", message: expect.stringMatching(/already in Maintenance/) });

    const cancelled = await cancelHostMaintenance(stack.core, admin, { host: "host-1" });
    expect(cancelled.host.state).toBe("Up");
    // The controller's heartbeat round keeps it Up, and placement uses it again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await stack.core.db.host.findUniqueOrThrow({ where: { id: ids["host-1"] } })).state).toBe("Up");
    expect((await planVm(stack.core, dev, { name: "again", template: "tiny", offering: "on-shared" })).host?.name).toBe("host-1");
    await expect(cancelHostMaintenance(stack.core, admin, { host: "host-1" })).rejects.toMatchObject({ code: "INVALID_STATE" });
  });
});
