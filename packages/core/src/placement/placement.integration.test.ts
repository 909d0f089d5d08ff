import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CarveError } from "../errors/index.ts";
import { setPlacementSettings } from "../settings/set-placement-settings.ts";
import { createTestCore, createTestUser, seedInfra, type TTestCore } from "../testing/index.ts";
import { createVm } from "../vms/create-vm.ts";
import { planVm } from "../vms/plan-vm.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

describe("placement under load", () => {
  it("200 concurrent creates against 3 small hosts place exactly as many as fit and explain every refusal", async () => {
    const alice = await createTestUser(core, "alice");
    const { hosts } = await seedInfra(core, { hosts: 3, cpus: 4, memoryMiB: 100_000 });
    await core.db.host.update({ where: { id: hosts[1]!.host.id }, data: { cpus: 2 } });
    await core.db.host.update({ where: { id: hosts[2]!.host.id }, data: { cpus: 1, cpuOvercommit: 3 } });
    // Capacity: 4 + 2 + 1×3 = 9 one-vCPU VMs.
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => createVm(core, alice, { name: `load-${i}`, template: "tiny", offering: "small" })),
    );
    const placed = results.filter((r) => r.status === "fulfilled");
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as CarveError] : []));
    expect(placed).toHaveLength(9);
    expect(refused).toHaveLength(191);
    for (const error of refused) {
      expect(error.code).toBe("NO_CAPACITY");
      for (const name of ["host-1", "host-2", "host-3"]) expect(error.message).toContain(name);
    }
    expect(refused.some((e) => e.message.includes("host-1 has 0 free vCPUs, 1 needed"))).toBe(true);
    const after = await core.db.host.findMany({ orderBy: { name: "asc" } });
    expect(after.map((h) => h.vcpusAllocated)).toEqual([4, 2, 3]);
    expect(await core.db.vm.count()).toBe(9);
    expect(core.queues.jobs.size).toBe(9);
  });
});

describe("explanations", () => {
  it("a pool with zero capacity, a host in maintenance and a storage tag nobody has each get their own reason", async () => {
    const alice = await createTestUser(core, "alice");
    const { hosts } = await seedInfra(core, { hosts: 3 });
    await core.db.storagePool.update({ where: { id: hosts[0]!.pool.id }, data: { capacityBytes: 0n } });
    await core.db.host.update({ where: { id: hosts[1]!.host.id }, data: { state: "Maintenance" } });
    await core.db.serviceOffering.create({ data: { name: "fast", vcpus: 1, memoryMiB: 512, rootDiskGiB: 1, storageTags: ["nvme"] } });

    const zero = await createVm(core, alice, { name: "a", template: "tiny", offering: "fast" }).catch((e: CarveError) => e);
    expect(zero).toMatchObject({ code: "NO_CAPACITY" });
    const message = (zero as CarveError).message;
    expect(message).toContain("host-1 has no pool that fits (pool-1 reports zero capacity: check the mount/export)");
    expect(message).toContain("host-2 is Maintenance");
    expect(message).toContain("host-3 has no pool that fits (pool-3 lacks storage tag nvme)");

    // The dry-run explains exactly the same, and reserves nothing.
    const plan = await planVm(core, alice, { name: "a", template: "tiny", offering: "fast" });
    expect(plan).toMatchObject({ fits: false, host: null, message });
    const ok = await planVm(core, alice, { name: "a", template: "tiny", offering: "small" });
    expect(ok).toMatchObject({ fits: true, host: { name: "host-3" }, pool: { name: "pool-3" } });
    expect(ok.rejections.map((r) => r.host)).toEqual(["host-1", "host-2"]);
    expect(await core.db.vm.count()).toBe(0);
    expect((await core.db.host.findMany()).every((h) => h.vcpusAllocated === 0)).toBe(true);
  });

  it("pack fills the fullest host first; spread the emptiest", async () => {
    const alice = await createTestUser(core, "alice");
    const admin = await createTestUser(core, "root", "Admin");
    const { hosts } = await seedInfra(core, { hosts: 2 });
    await core.db.host.update({ where: { id: hosts[0]!.host.id }, data: { memMiBAllocated: 4096, vcpusAllocated: 1 } });
    expect((await createVm(core, alice, { name: "s", template: "tiny", offering: "small" })).vm.hostId).toBe(hosts[1]!.host.id);
    await setPlacementSettings(core, admin, { policy: "pack" });
    expect((await createVm(core, alice, { name: "p", template: "tiny", offering: "small" })).vm.hostId).toBe(hosts[0]!.host.id);
    const refused = await setPlacementSettings(core, alice, { policy: "pack" }).catch((e: CarveError) => e.code);
    expect(refused).toBe("FORBIDDEN");
  });

  it("a burst of creates recorded together spreads over the hosts, or packs them, as one create at a time would", async () => {
    const alice = await createTestUser(core, "alice");
    const admin = await createTestUser(core, "root", "Admin");
    const { hosts } = await seedInfra(core, { hosts: 4, cpus: 64, memoryMiB: 8192 });
    const perHost = async () => {
      const rows = await core.db.host.findMany({ orderBy: { name: "asc" }, select: { vcpusAllocated: true } });
      return rows.map((h) => h.vcpusAllocated);
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => createVm(core, alice, { name: `s-${i}`, template: "tiny", offering: "small" })));
    expect(await perHost()).toEqual([3, 3, 3, 3]);
    await setPlacementSettings(core, admin, { policy: "pack" });
    // All equally full: one is picked, and from then on it is the fullest with room, so it takes them all.
    await Promise.all(Array.from({ length: 6 }, (_, i) => createVm(core, alice, { name: `p-${i}`, template: "tiny", offering: "small" })));
    expect((await perHost()).sort((a, b) => a - b)).toEqual([3, 3, 3, 9]);
    expect(hosts).toHaveLength(4);
  });

  it("never promises a pool past its threshold", async () => {
    const alice = await createTestUser(core, "alice");
    await seedInfra(core, { hosts: 1, poolGiB: 10 });
    await core.db.serviceOffering.create({ data: { name: "disk4", vcpus: 1, memoryMiB: 64, rootDiskGiB: 4 } });
    await createVm(core, alice, { name: "d1", template: "tiny", offering: "disk4" });
    await createVm(core, alice, { name: "d2", template: "tiny", offering: "disk4" });
    // 8 of 10 GiB promised; 85 % is 8.5 GiB.
    const third = await createVm(core, alice, { name: "d3", template: "tiny", offering: "disk4" }).catch((e: CarveError) => e);
    expect((third as CarveError).message).toContain("pool-1 has 0 GiB free below its 85 % threshold, 4 GiB needed");
  });
});
