import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordJobProgress } from "../jobs/record-progress.ts";
import { sweepJobs } from "../jobs/sweep-jobs.ts";
import { addPool } from "../pools/add-pool.ts";
import { createDiskOffering } from "../offerings/create-disk-offering.ts";
import { deletePool } from "../pools/delete-pool.ts";
import { applyInventory } from "../reconcile/apply-inventory.ts";
import { createTestCore, createTestUser, refusal, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { ensureTemplateCopy } from "./ensure-template-copy.ts";

// Issue 19, items 4, 6 and 7: template copies that are missing are made when needed; pools that were removed.
let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

const SHA = "a".repeat(64);
/** What a template downloaded into the store has (so a copy of it can be made). */
const STORED = { storedPath: "/srv/carve/templates/tiny.qcow2", sha256: SHA, sizeBytes: 1024n, virtualSizeBytes: 1024n ** 3n };

/** One host whose pool-1 lost its copy of `tiny` (a template downloaded into the store, so it can be copied again). */
async function withoutCopy() {
  const infra = await seedInfra(core, { hosts: 1 });
  await core.db.template.update({ where: { id: infra.template.id }, data: STORED });
  await core.db.templateCopy.deleteMany({});
  return infra;
}

const createJobs = () => core.db.job.findMany({ where: { kind: "vm.create" }, orderBy: { createdAt: "asc" } });

describe("a create whose pools lack a copy of its template stages the copy (item 4)", () => {
  it("two creates share one copy, show its progress, and go to the host once it is Ready", async () => {
    await withoutCopy();
    const ann = await createTestUser(core, "ann");
    const bob = await createTestUser(core, "bob");
    const a = await createVm(core, ann, { name: "a", template: "tiny", offering: "small" });
    const b = await createVm(core, bob, { name: "b", template: "tiny", offering: "small" });
    expect([a.vm.state, b.vm.state]).toEqual(["Creating", "Creating"]);
    const copies = core.queues.byName("template.copy");
    expect(copies).toHaveLength(1);
    expect(core.queues.byName("vm.create")).toHaveLength(0);
    const copyJobId = copies[0]?.envelope.jobId ?? "";
    expect((await core.db.templateCopy.findFirstOrThrow()).state).toBe("Copying");

    await recordJobProgress(core, copyJobId, { percent: 43, step: "importing" });
    expect((await createJobs()).map((j) => [j.state, j.step])).toEqual([["Queued", "copying template… 43 %"], ["Queued", "copying template… 43 %"]]);

    core.queues.settle(copyJobId, { result: { templateId: a.vm.templateId, pool: "default", volume: "v", path: "/p", alreadyPresent: false } });
    await sweepJobs(core);
    expect((await core.db.templateCopy.findFirstOrThrow()).state).toBe("Ready");
    const sent = core.queues.byName("vm.create");
    expect(sent.map((j) => j.envelope.jobId).sort()).toEqual([a.job.id, b.job.id].sort());
    expect(sent.every((j) => (j.envelope.payload as { template: { name: string } }).template.name === `template-${a.vm.templateId}.qcow2`)).toBe(true);
  });

  it("a create with a data disk stages the copy too, and goes to the host with its disk once the copy is Ready (day 2)", async () => {
    const { hosts } = await withoutCopy();
    const admin = await createTestUser(core, "root", "Admin");
    const ann = await createTestUser(core, "ann");
    await createDiskOffering(core, admin, { name: "scratch", sizeGiB: 5, scope: "Local" });
    const a = await createVm(core, ann, { name: "a", template: "tiny", offering: "small", dataDisks: [{ diskOffering: "scratch" }] });
    expect(a.vm.state).toBe("Creating");
    const [copy] = core.queues.byName("template.copy");
    expect(copy?.hostId).toBe(hosts[0]?.host.id);
    expect(core.queues.byName("vm.create")).toHaveLength(0);
    expect((await createJobs()).map((j) => [j.state, j.step])).toEqual([["Queued", "copying template… 0 %"]]);

    core.queues.settle(copy?.envelope.jobId ?? "", { result: { templateId: a.vm.templateId, pool: "default", volume: "v", path: "/p", alreadyPresent: false } });
    await sweepJobs(core);
    const [sent] = core.queues.byName("vm.create");
    expect(sent?.hostId).toBe(hosts[0]?.host.id);
    expect((sent?.envelope.payload as { dataVolumes: { sizeGiB: number }[] }).dataVolumes.map((v) => v.sizeGiB)).toEqual([5]);
  });

  it("a failed copy fails the waiting create with the reason and gives its capacity back", async () => {
    const { hosts } = await withoutCopy();
    const ann = await createTestUser(core, "ann");
    const a = await createVm(core, ann, { name: "a", template: "tiny", offering: "small" });
    core.queues.settle(core.queues.byName("template.copy")[0]?.envelope.jobId ?? "", { reason: "disk full" });
    await sweepJobs(core);
    const vm = await core.db.vm.findUniqueOrThrow({ where: { id: a.vm.id } });
    expect(vm.state).toBe("Error");
    expect(vm.stateReason).toContain("disk full");
    expect(await core.db.host.findUniqueOrThrow({ where: { id: hosts[0]?.host.id ?? "" } })).toMatchObject({ vcpusAllocated: 0, memMiBAllocated: 0 });
    expect(core.queues.byName("vm.create")).toHaveLength(0);
  });
});

describe("pool reports verify template copies (item 6)", () => {
  it("a copy the pool no longer lists goes Missing, and 'template copy' copies it again", async () => {
    const { hosts, template } = await seedInfra(core, { hosts: 1 });
    await core.db.template.update({ where: { id: template.id }, data: STORED });
    const host = hosts[0]?.host ?? { id: "", name: "" };
    // The storage behind pool-1 was swapped: the host lists its pool without the copy's volume.
    const inventory = await core.db.job.create({
      data: {
        kind: "host.inventory", state: "Succeeded", hostId: host.id, createdAt: new Date(Date.now() + 5_000), finishedAt: new Date(),
        result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains: [], pools: [{ name: "default", capacityBytes: 1, allocationBytes: 0, availableBytes: 1, volumes: ["other.qcow2"] }] },
      },
    }); // prettier-ignore
    await applyInventory(core, inventory.id);
    const copy = await core.db.templateCopy.findFirstOrThrow();
    expect(copy.state).toBe("Missing");
    expect(copy.stateReason).toContain("carve template copy tiny --pool pool-1");
    const admin = await createTestUser(core, "root", "Admin");
    const again = await ensureTemplateCopy(core, admin, { template: "tiny", pool: "pool-1" });
    expect(again.copy.state).toBe("Copying");
    expect(core.queues.byName("template.copy").map((j) => j.envelope.jobId)).toEqual([again.jobId]);
  });
});

describe("pool reports verify template copies' sizes (item 6, day 2)", () => {
  it("a copy the pool lists with another capacity than its template's goes Missing; one of the right capacity stays Ready", async () => {
    const { hosts, template } = await seedInfra(core, { hosts: 1 });
    await core.db.template.update({ where: { id: template.id }, data: STORED });
    const host = hosts[0]?.host ?? { id: "", name: "" };
    const { volumeName } = await core.db.templateCopy.findFirstOrThrow();
    const report = async (bytes: number) => {
      const job = await core.db.job.create({
        data: {
          kind: "host.inventory", state: "Succeeded", hostId: host.id, createdAt: new Date(Date.now() + 5_000), finishedAt: new Date(),
          result: { hostname: "h", cpus: 8, memoryMiB: 16384, domains: [], pools: [{ name: "default", capacityBytes: 1, allocationBytes: 0, availableBytes: 1, volumes: [volumeName], sizes: { [volumeName]: bytes } }] },
        },
      }); // prettier-ignore
      await applyInventory(core, job.id);
      return core.db.templateCopy.findFirstOrThrow();
    };
    expect((await report(1024 ** 3)).state).toBe("Ready");
    // The storage was swapped and someone put a smaller image there under the copy's name.
    const copy = await report(1024 ** 2);
    expect(copy.state).toBe("Missing");
    expect(copy.stateReason).toBe(
      `host host-1 reports volume ${volumeName} in pool pool-1 with 1048576 bytes, not the template's 1073741824 (was another file put in its place?); the next create there copies it again, or run 'carve template copy tiny --pool pool-1'`,
    );
  });
});

describe("removed pools (item 7)", () => {
  it("a removed pool's name can be reused, and a template copy to the removed pool is refused with the reason", async () => {
    const { hosts } = await seedInfra(core, { hosts: 1 });
    const admin = await createTestUser(core, "root", "Admin");
    const old = await addPool(core, admin, { name: "extra", hosts: ["host-1"], libvirtName: "carve-extra", path: "/srv/extra" });
    // A volume once lived there: the delete keeps the pool as Removed for its history.
    await core.db.volume.create({ data: { name: "gone", kind: "Data", ownerId: admin.userId, poolId: old.id, libvirtName: "gone", sizeGiB: 1, state: "Deleted" } });
    expect(await deletePool(core, admin, { pool: "extra" })).toMatchObject({ outcome: "removed" });
    const fresh = await addPool(core, admin, { name: "extra", hosts: [hosts[0]?.host.name ?? ""], libvirtName: "carve-extra2", path: "/srv/extra2" });
    expect(fresh.id).not.toBe(old.id);
    expect(await core.db.storagePool.findUniqueOrThrow({ where: { id: old.id } })).toMatchObject({ state: "Removed", name: "extra" });
    const refused = await refusal(ensureTemplateCopy(core, admin, { template: "tiny", pool: old.id }));
    expect(refused.code).toBe("INVALID_STATE");
    expect(refused.message).toContain("Storage pool extra was removed (deleted by an admin)");
    expect(core.queues.byName("template.copy")).toHaveLength(0);
  });
});
