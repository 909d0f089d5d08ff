import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CarveError } from "../errors/index.ts";
import { createDb } from "@carve/db";
import { FakeJobQueues } from "../testing/fake-job-queues.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createDiskOffering } from "../offerings/create-disk-offering.ts";
import { writePlacementSettings } from "../settings/placement-settings.ts";
import { createVm, planCreateInput, recordCreates, transactionsOf, type TQueuedCreate } from "./create-vm.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

async function refusal(promise: Promise<unknown>): Promise<CarveError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CarveError);
  return error as CarveError;
}

async function nothingCreated(): Promise<void> {
  expect(await core.db.vm.count()).toBe(0);
  expect(await core.db.job.count()).toBe(0);
  expect(await core.db.volume.count()).toBe(0);
  expect(core.queues.jobs.size).toBe(0);
  const hosts = await core.db.host.findMany();
  expect(hosts.every((h) => h.vcpusAllocated === 0 && h.memMiBAllocated === 0)).toBe(true);
}

/** A create planned as createVm plans it, ready to be recorded in a batch of a set order. */
async function planned(owner: Awaited<ReturnType<typeof createTestUser>>, input: Record<string, unknown>): Promise<TQueuedCreate> {
  return { deps: core, plan: await planCreateInput(core, owner, input) };
}

describe("createVm", () => {
  it("records a Creating VM, its root volume and a job, reserves capacity and sends the job to the chosen host", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    const { vm, job } = await createVm(core, alice, { name: "web-1", template: "tiny", offering: "small" });
    expect(vm.state).toBe("Creating");
    expect(job).toMatchObject({ kind: "vm.create", state: "Queued", vmId: vm.id, hostId: vm.hostId });
    const sent = core.queues.jobs.get(job.id);
    expect(sent?.hostId).toBe(vm.hostId);
    expect(sent?.envelope.payload).toMatchObject({ vmId: vm.id, vcpus: 1, memoryMiB: 512, template: { name: "tiny.qcow2" } });
    const host = await core.db.host.findUniqueOrThrow({ where: { id: vm.hostId ?? "" } });
    expect(host).toMatchObject({ vcpusAllocated: 1, memMiBAllocated: 512 });
    expect(await core.db.volume.count({ where: { vmId: vm.id, kind: "Root" } })).toBe(1);
    expect(await core.db.event.count({ where: { vmId: vm.id, toState: "Creating" } })).toBe(1);
  });

  it.each([
    ["Web-1", "lowercase"],
    ["-web", "starting and ending"],
    ["a".repeat(64), "63 characters"],
    ["x<y>&'\"", "lowercase letters, digits and hyphens"],
    ["", "is required"],
    ["a\u0000b", "contains a control character (NUL); remove it"],
  ])("refuses the name %j naming the field and the fix, creating nothing", async (name, fix) => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    const error = await refusal(createVm(core, alice, { name, template: "tiny", offering: "small" }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.fields[0]?.field).toBe("name");
    expect(error.message).toContain(fix);
    await nothingCreated();
  });

  it("refuses a description with NUL, and stores one full of markup characters as it is", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    const error = await refusal(createVm(core, alice, { name: "a", description: "x\u0000y", template: "tiny", offering: "small" }));
    expect(error.fields[0]).toMatchObject({ field: "description" });
    await nothingCreated();
    const hostile = `<domain>&'"</title>]]>`;
    const { vm } = await createVm(core, alice, { name: "b", description: hostile, template: "tiny", offering: "small" });
    expect((await core.db.vm.findUniqueOrThrow({ where: { id: vm.id } })).description).toBe(hostile);
  });

  it("names the unknown template or offering and how to find a valid one", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core);
    const t = await refusal(createVm(core, alice, { name: "a", template: "nope", offering: "small" }));
    expect(t).toMatchObject({ code: "TEMPLATE_NOT_FOUND", fields: [{ field: "template" }] });
    expect(t.message).toContain("template list");
    const o = await refusal(createVm(core, alice, { name: "a", template: "tiny", offering: "00000000-0000-4000-8000-000000000000" }));
    expect(o).toMatchObject({ code: "OFFERING_NOT_FOUND", fields: [{ field: "offering" }] });
    await nothingCreated();
  });

  it("keeps names unique per owner, also when two creates race, but lets another user reuse the name", async () => {
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    await seedInfra(core);
    const results = await Promise.allSettled([1, 2, 3].map(() => createVm(core, alice, { name: "dup", template: "tiny", offering: "small" })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as CarveError).code).toBe("VM_NAME_TAKEN");
    await createVm(core, bob, { name: "dup", template: "tiny", offering: "small" });
    expect(await core.db.vm.count()).toBe(2);
    const hosts = await core.db.host.findMany();
    expect(hosts.reduce((sum, h) => sum + h.vcpusAllocated, 0)).toBe(2);
  });

  it("explains every host when nothing fits, and reserves nothing", async () => {
    const alice = await createTestUser(core, "alice");
    const { hosts } = await seedInfra(core, { hosts: 2, cpus: 2 });
    await core.db.host.update({ where: { id: hosts[1]!.host.id }, data: { state: "Maintenance" } });
    const error = await refusal(createVm(core, alice, { name: "big", template: "tiny", offering: "large" }));
    expect(error.code).toBe("NO_CAPACITY");
    expect(error.message).toContain("host-1 has 2 free vCPUs, 4 needed");
    expect(error.message).toContain("host-2 is Maintenance");
    await nothingCreated();
  });

  it("never overcommits a host under concurrent creates", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 2, cpus: 3, memoryMiB: 100_000 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => createVm(core, alice, { name: `c-${i}`, template: "tiny", offering: "small" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(6);
    const hosts = await core.db.host.findMany();
    expect(hosts.map((h) => h.vcpusAllocated)).toEqual([3, 3]);
  });

  it("answers creates recorded together each on its own: refusals leave the others created and reserve nothing", async () => {
    const alice = await createTestUser(core, "alice");
    const bob = await createTestUser(core, "bob");
    await seedInfra(core, { hosts: 2, cpus: 2 });
    await core.db.quota.create({ data: { userId: alice.userId, maxVms: 2 } });
    const requests: [typeof alice, Record<string, string>][] = [
      [alice, { name: "a-1", template: "tiny", offering: "small" }],
      [bob, { name: "b-1", template: "tiny", offering: "small" }],
      [alice, { name: "a-2", template: "tiny", offering: "small" }],
      [bob, { name: "b-1", template: "tiny", offering: "small" }],
      [alice, { name: "a-3", template: "tiny", offering: "small" }],
      [bob, { name: "b-big", template: "tiny", offering: "large" }],
      [bob, { name: "b-2", template: "nope", offering: "small" }],
    ];
    const results = await Promise.allSettled(requests.map(([actor, input]) => createVm(core, actor, input)));
    const answers = results.map((r) => (r.status === "fulfilled" ? r.value.vm.name : (r.reason as CarveError).code));
    expect(answers).toEqual(["a-1", "b-1", "a-2", "VM_NAME_TAKEN", "QUOTA_EXCEEDED", "NO_CAPACITY", "TEMPLATE_NOT_FOUND"]);
    expect((await core.db.vm.findMany({ orderBy: { name: "asc" }, select: { name: true } })).map((v) => v.name)).toEqual(["a-1", "a-2", "b-1"]);
    expect(await core.db.job.count()).toBe(3);
    expect(await core.db.volume.count()).toBe(3);
    expect(core.queues.jobs.size).toBe(3);
    const hosts = await core.db.host.findMany();
    expect(hosts.reduce((sum, h) => sum + h.vcpusAllocated, 0)).toBe(3);
  });

  for (const scarce of ["vCPUs", "pool space"] as const) {
    it(`creates recorded together are served in the order they came when the hosts run out of ${scarce}`, async () => {
      const alice = await createTestUser(core, "alice");
      await writePlacementSettings(core.db, { policy: "pack" }, null);
      const { hosts } = await seedInfra(core, { hosts: 2, cpus: 8, poolGiB: 10 });
      const [one, two] = hosts;
      if (!one || !two) throw new Error("two hosts expected");
      // Packing puts the first two small VMs on host one by memory; each host has room for one more small
      // VM only (a vCPU, or a 1 GiB disk below its pool's 85 % of 10 GiB), and none for the large x.
      await core.db.host.update({ where: { id: one.host.id }, data: { memoryMiB: 1100, vcpusAllocated: scarce === "vCPUs" ? 7 : 5 } });
      await core.db.host.update({ where: { id: two.host.id }, data: { memoryMiB: 5000, vcpusAllocated: scarce === "vCPUs" ? 7 : 5 } });
      if (scarce === "pool space") await core.db.storagePool.updateMany({ data: { reservedBytes: 7n * 1024n ** 3n } });
      const requests = ["x", "a", "b", "c"].map((name) => ({ name, template: "tiny", offering: name === "x" ? "large" : "small" }));
      const results = await Promise.allSettled(requests.map((input) => createVm(core, alice, input)));
      const where = (hostId: string | null) => (hostId === one.host.id ? "one" : "two");
      const answers = results.map((r) => (r.status === "fulfilled" ? `${r.value.vm.name} on ${where(r.value.vm.hostId)}` : (r.reason as CarveError).code));
      expect(answers).toEqual(["NO_CAPACITY", "a on one", "b on two", "NO_CAPACITY"]);
      expect((await core.db.host.findMany({ orderBy: { name: "asc" } })).map((h) => h.vcpusAllocated)).toEqual(scarce === "vCPUs" ? [8, 8] : [6, 6]);
    });
  }

  it("a create with data disks refused after it reserved does not push the creates after it off the host it gave back", async () => {
    const alice = await createTestUser(core, "alice");
    const admin = await createTestUser(core, "root", "Admin");
    const { hosts } = await seedInfra(core, { hosts: 2 });
    const [a, b] = hosts;
    if (!a || !b) throw new Error("two hosts expected");
    await createDiskOffering(core, admin, { name: "ten", sizeGiB: 10, scope: "Local" });
    await createVm(core, alice, { name: "taken", template: "tiny", offering: "small" });
    // Spreading: host b has room for 10 small VMs, host a for 7 and for no large one.
    await core.db.host.update({ where: { id: a.host.id }, data: { memoryMiB: 4000, memMiBAllocated: 0, vcpusAllocated: 0 } });
    await core.db.host.update({ where: { id: b.host.id }, data: { memoryMiB: 5120, memMiBAllocated: 0, vcpusAllocated: 0 } });
    const batch = [
      await planned(alice, { name: "first", template: "tiny", offering: "small" }),
      // Fits only on b, reserves there with its data disk, then finds its name taken: rolled back.
      await planned(alice, { name: "taken", template: "tiny", offering: "large", dataDisks: [{ diskOffering: "ten" }] }),
      await planned(alice, { name: "second", template: "tiny", offering: "small" }),
    ];
    const outcomes = await recordCreates(batch);
    const where = (hostId: string | null | undefined) => (hostId === a.host.id ? "a" : hostId === b.host.id ? "b" : String(hostId));
    const answers = outcomes.map((o) => (o.ok ? `${o.value.vm.name} on ${where(o.value.vm.hostId)}` : (o.error as CarveError).code));
    // b still has room for 9 small VMs after the first, a for 7: the refused create's reservation is not counted.
    expect(answers).toEqual(["first on b", "VM_NAME_TAKEN", "second on b"]);
    expect((await core.db.host.findUniqueOrThrow({ where: { id: b.host.id } })).memMiBAllocated).toBe(1024);
  });

  it("records a batch with more creates needing a savepoint than one transaction should hold in consecutive transactions, in order", async () => {
    const alice = await createTestUser(core, "alice");
    const admin = await createTestUser(core, "root", "Admin");
    await seedInfra(core, { hosts: 2, cpus: 64, memoryMiB: 65536 });
    await createDiskOffering(core, admin, { name: "one", sizeGiB: 1, scope: "Local" });
    // 35 creates with a data disk (each needs a savepoint) between 35 plain ones.
    const names = Array.from({ length: 70 }, (_, i) => (i % 2 === 0 ? `disk-${i}` : `plain-${i}`));
    const batch = await Promise.all(
      names.map((name) => planned(alice, { name, template: "tiny", offering: "small", ...(name.startsWith("disk") ? { dataDisks: [{ diskOffering: "one" }] } : {}) })),
    );
    // 30 of them at most per transaction (with the savepoints of the plain creates between them: below 64).
    expect(transactionsOf(batch).map((part) => part.length)).toEqual([60, 10]);
    const outcomes = await recordCreates(batch);
    expect(outcomes.map((o) => (o.ok ? o.value.vm.name : String(o.error)))).toEqual(names);
    expect(await core.db.volume.count({ where: { kind: "Data" } })).toBe(35);
    expect((await core.db.host.findMany()).reduce((sum, h) => sum + h.memMiBAllocated, 0)).toBe(70 * 512);
  });

  it("a name raced by another process is given once; the other creates of the burst are all recorded", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 2 });
    const other = { ...core, db: createDb(core.databaseUrl, { poolSize: 2 }), queues: new FakeJobQueues() }; // another front door's process
    try {
      const mine = Array.from({ length: 10 }, (_, i) => createVm(core, alice, { name: i === 5 ? "dup" : `m-${i}`, template: "tiny", offering: "small" }));
      const theirs = createVm(other, alice, { name: "dup", template: "tiny", offering: "small" });
      const results = await Promise.allSettled([...mine, theirs]);
      const refused = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as CarveError).code] : []));
      expect(refused).toEqual(["VM_NAME_TAKEN"]);
      expect(await core.db.vm.count({ where: { ownerId: alice.userId } })).toBe(10);
      expect(await core.db.vm.count({ where: { name: "dup" } })).toBe(1);
      const hosts = await core.db.host.findMany();
      expect(hosts.reduce((sum, h) => sum + h.vcpusAllocated, 0)).toBe(10);
    } finally {
      await other.db.$disconnect();
    }
  });
});
