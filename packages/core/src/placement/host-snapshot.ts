import type { Tx } from "@carve/db";
import type { TPlacementHost } from "./place-vm.ts";

/** The capacity snapshot placement works on: every live host, its pools, and which hold the template. */
export async function loadPlacementHosts(tx: Tx, templateId: string): Promise<TPlacementHost[]> {
  const hosts = await tx.host.findMany({
    where: { state: { not: "Removed" } },
    select: {
      id: true,
      name: true,
      state: true,
      tags: true,
      cpus: true,
      memoryMiB: true,
      cpuOvercommit: true,
      memOvercommit: true,
      vcpusAllocated: true,
      memMiBAllocated: true,
      networks: { select: { networkId: true, state: true, stateReason: true } },
      pools: {
        where: { pool: { state: { not: "Removed" } } },
        select: {
          pool: {
            select: {
              id: true,
              name: true,
              scope: true,
              state: true,
              stateReason: true,
              tags: true,
              capacityBytes: true,
              reservedBytes: true,
              capacityReportedAt: true,
              templateCopies: { where: { templateId, state: "Ready" }, select: { poolId: true } },
            },
          },
        },
      },
    },
    orderBy: { name: "asc" },
  });
  return hosts.map(({ pools, networks, ...host }) => ({
    ...host,
    networkIds: networks.filter((n) => n.state !== "Unhealthy").map((n) => n.networkId),
    unhealthyNetworks: networks.filter((n) => n.state === "Unhealthy").map((n) => ({ id: n.networkId, reason: n.stateReason })),
    pools: pools.map(({ pool: { templateCopies, capacityReportedAt, ...pool } }) => ({
      ...pool,
      capacityReported: capacityReportedAt !== null,
      hasTemplate: templateCopies.length > 0,
    })),
  }));
}
