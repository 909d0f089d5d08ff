import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestCore, seedInfra, type TTestCore } from "../testing/index.ts";
import { loadPlacementHosts } from "./host-snapshot.ts";
import { placeVm, type TPlacementRequest } from "./place-vm.ts";
import { rankCandidates, tryOrder, type TRankedCandidate } from "./rank-candidates.ts";

let core: TTestCore;
beforeEach(async () => {
  core = await createTestCore();
});
afterEach(async () => {
  await core.drop();
});

/** A small deterministic PRNG, so a failing mix can be replayed. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const GIB = 1024n ** 3n;

describe("rankCandidates (the create's SQL) agrees with placeVm (the explainer)", () => {
  it("picks the same hosts and pools in the same order over a mixed fleet, for spread and pack", async () => {
    const { template, hosts } = await seedInfra(core, { hosts: 14 });
    const random = prng(42);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
    for (const { host, pool } of hosts) {
      await core.db.host.update({
        where: { id: host.id },
        data: {
          state: pick(["Up", "Up", "Up", "Disconnected", "Maintenance"]),
          tags: pick([[], ["gpu"], ["gpu", "ssd"]]),
          cpus: pick([2, 4, 8]),
          memoryMiB: pick([4096, 8192, 16384]),
          cpuOvercommit: pick([1, 2]),
          vcpusAllocated: pick([0, 1, 3]),
          memMiBAllocated: pick([0, 1024, 3072]),
        },
      });
      await core.db.storagePool.update({
        where: { id: pool.id },
        data: {
          state: pick(["Up", "Up", "Up", "Unhealthy"]),
          scope: pick(["Local", "Shared"]),
          tags: pick([[], ["nvme"]]),
          capacityBytes: pick([0n, 10n * GIB, 100n * GIB]),
          reservedBytes: pick([0n, 8n * GIB]),
          capacityReportedAt: pick([null, new Date(), new Date()]),
        },
      });
      if (random() < 0.2) await core.db.templateCopy.delete({ where: { templateId_poolId: { templateId: template.id, poolId: pool.id } } });
    }
    // A shared pool seen by several hosts, next to their local ones.
    const shared = await core.db.storagePool.create({
      data: { name: "shared", libvirtName: "shared", path: "/srv/shared", scope: "Shared", capacityBytes: 500n * GIB, capacityReportedAt: new Date() },
    });
    for (const { host } of hosts.slice(0, 6)) await core.db.poolHost.create({ data: { poolId: shared.id, hostId: host.id } });
    await core.db.templateCopy.create({ data: { templateId: template.id, poolId: shared.id, volumeName: "tiny.qcow2" } });

    const requests: TPlacementRequest[] = [];
    for (const policy of ["spread", "pack"] as const) {
      for (const [vcpus, memoryMiB, diskGiB] of [[1, 512, 1], [2, 2048, 5], [4, 8192, 20]] as const) {
        for (const [hostTags, storageTags, scope] of [[[], [], null], [["gpu"], [], "Local"], [[], ["nvme"], null], [[], [], "Shared"]] as const) {
          requests.push({ vcpus, memoryMiB, diskGiB, hostTags: [...hostTags], storageTags: [...storageTags], scope, policy, poolThreshold: 0.85 });
        }
      }
    }
    let nonEmpty = 0;
    for (const request of requests) {
      const ranked = await core.db.$transaction((tx) => rankCandidates(tx, template.id, request, 1000));
      const { candidates } = placeVm(await core.db.$transaction((tx) => loadPlacementHosts(tx, template.id)), request);
      const label = JSON.stringify(request);
      expect(ranked.map((c) => c.hostId), label).toEqual(candidates.map((c) => c.host.id));
      expect(new Set(ranked.map((c) => `${c.hostId}/${c.poolId}`)), label).toEqual(new Set(candidates.map((c) => `${c.host.id}/${c.pool.id}`)));
      // Local pools before shared ones on the same host, as placeVm prefers them.
      for (let i = 1; i < ranked.length; i++) {
        const [a, b] = [candidates[i - 1], candidates[i]];
        if (a && b && a.host.id === b.host.id && a.pool.scope === "Shared") expect(b.pool.scope, label).toBe("Shared");
      }
      if (ranked.length > 0) nonEmpty += 1;
    }
    // The mix must exercise both outcomes, or the comparison proves little.
    expect(nonEmpty).toBeGreaterThan(4);
    expect(nonEmpty).toBeLessThan(requests.length);
  });
});

describe("tryOrder", () => {
  const candidate = (hostId: string, freeMemMiB: number): TRankedCandidate => ({
    hostId,
    hostName: hostId,
    poolId: `${hostId}-pool`,
    poolName: `${hostId}-pool`,
    poolLibvirtName: "default",
    templateVolume: "tiny.qcow2",
    freeMemMiB,
  });

  it("starts at a random one of the equally good hosts and keeps the rest in rank order", () => {
    const ranked = [candidate("a", 4000), candidate("b", 3900), candidate("c", 2000), candidate("d", 100)];
    // With 1024 MiB VMs, a and b can each take 3 more: equally good; c and d cannot.
    expect(tryOrder(ranked, 1024, () => 0).map((c) => c.hostId)).toEqual(["a", "b", "c", "d"]);
    expect(tryOrder(ranked, 1024, () => 0.99).map((c) => c.hostId)).toEqual(["b", "a", "c", "d"]);
    expect(tryOrder(ranked, 100, () => 0.99).map((c) => c.hostId)).toEqual(["a", "b", "c", "d"]);
    expect(tryOrder([], 1024)).toEqual([]);
  });
});
