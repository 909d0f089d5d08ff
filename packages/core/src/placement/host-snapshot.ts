import type { Tx } from "@carve/db";
import type { TPlacementHost } from "./place-vm.ts";

/** The capacity snapshot placement works on: every live host and the pools holding the template. */
export async function loadPlacementHosts(tx: Tx, templateId: string): Promise<TPlacementHost[]> {
  const hosts = await tx.host.findMany({
    where: { state: { not: "Removed" } },
    select: {
      id: true,
      name: true,
      state: true,
      cpus: true,
      memoryMiB: true,
      cpuOvercommit: true,
      memOvercommit: true,
      vcpusAllocated: true,
      memMiBAllocated: true,
      pools: {
        where: { pool: { state: "Up", templateCopies: { some: { templateId, state: "Ready" } } } },
        select: { poolId: true, pool: { select: { scope: true } } },
      },
    },
    orderBy: { name: "asc" },
  });
  return hosts.map(({ pools, ...host }) => ({
    ...host,
    // Local pools first: a root disk next to its VM is the fast default.
    templatePoolIds: [...pools].sort((a, b) => (a.pool.scope === b.pool.scope ? 0 : a.pool.scope === "Local" ? -1 : 1)).map((p) => p.poolId),
  }));
}
