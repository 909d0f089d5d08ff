import { Prisma, type Tx } from "@carve/db";
import { poolTakes } from "./pool-takes.ts";
import type { TPlacementRequest } from "./place-vm.ts";

/** A host and pool that can take the VM now, with what the create needs to address them. */
export interface TRankedCandidate {
  hostId: string;
  hostName: string;
  poolId: string;
  poolName: string;
  poolLibvirtName: string;
  /** The template copy's volume name in that pool (the root disk's backing file). */
  templateVolume: string;
  /** The host's free memory (MiB, after overcommit): the ranking key. */
  freeMemMiB: number;
}

/** How many candidates a create considers: enough to get past hosts filled by racing creates. */
export const CANDIDATE_LIMIT = 16;

/**
 * The best host/pool pairs for a VM, in one query: the same filters and order as `placeVm`
 * (host Up, has the VM's network, host tags, vCPUs, memory; pool holds the template, is Up, has reported a non-zero
 * capacity, scope, storage tags, room below the threshold; spread or pack by free memory, then host
 * name, local pools first), but done by PostgreSQL and cut at `limit`, so a create does not load
 * every host. `placeVm` over the full snapshot stays the explainer when nothing fits; a test
 * keeps the two in agreement.
 */
export async function rankCandidates(tx: Tx, templateId: string, r: TPlacementRequest, limit = CANDIDATE_LIMIT, stageVolume?: string): Promise<TRankedCandidate[]> {
  // With `stageVolume` (issue 19): pools without a Ready copy qualify too, the copy to be made
  // there under that name (a create then waits for it: stageCreateCopy).
  const copy = stageVolume === undefined
    ? Prisma.sql`JOIN "TemplateCopy" tc ON tc."poolId" = p.id AND tc."templateId" = ${templateId}::uuid AND tc.state = 'Ready'`
    : Prisma.sql`LEFT JOIN "TemplateCopy" tc ON tc."poolId" = p.id AND tc."templateId" = ${templateId}::uuid`;
  const volume = stageVolume === undefined ? Prisma.sql`tc."volumeName"` : Prisma.sql`CASE WHEN tc.state = 'Ready' THEN tc."volumeName" ELSE ${stageVolume} END`;
  // Matches the index (state, memMiBFree, name) read forwards (pack) or backwards (spread), so
  // PostgreSQL walks hosts in rank order and stops at the first few that fit, at any fleet size.
  const network = r.network ? Prisma.sql`EXISTS (SELECT 1 FROM "NetworkHost" nh WHERE nh."hostId" = h.id AND nh."networkId" = ${r.network.id}::uuid)` : Prisma.sql`TRUE`;
  const order = r.policy === "pack" ? Prisma.sql`h."memMiBFree" ASC, h.name ASC` : Prisma.sql`h."memMiBFree" DESC, h.name DESC`;
  const rows = await tx.$queryRaw<TRankedCandidate[]>`
    SELECT h.id::text AS "hostId", h.name AS "hostName", p.id::text AS "poolId", p.name AS "poolName",
           p."libvirtName" AS "poolLibvirtName", ${volume} AS "templateVolume",
           h."memMiBFree" AS "freeMemMiB"
      FROM "Host" h
      JOIN "PoolHost" ph ON ph."hostId" = h.id
      JOIN "StoragePool" p ON p.id = ph."poolId"
      ${copy}
     WHERE h.state = 'Up'
       AND ${network}
       AND h.tags @> ${r.hostTags}::text[]
       AND floor(h.cpus * h."cpuOvercommit") - h."vcpusAllocated" >= ${r.vcpus}
       AND h."memMiBFree" >= ${r.memoryMiB}
       AND ${poolTakes(Prisma.raw("p"), r)}
     ORDER BY ${order}, (p.scope = 'Local') DESC
     LIMIT ${limit}`;
  return rows;
}

/**
 * The order a create tries candidates in. Hosts that could take as many more VMs of this size as
 * the best one are equally good: one of them is picked at random, so concurrent creates spread
 * over them instead of all queueing on the same row lock. The rest follow in rank order.
 */
export function tryOrder(candidates: TRankedCandidate[], memoryMiB: number, random: () => number = Math.random): TRankedCandidate[] {
  const first = candidates[0];
  if (!first) return [];
  const room = (c: TRankedCandidate) => Math.floor(c.freeMemMiB / Math.max(memoryMiB, 1));
  const bestHosts = [...new Set(candidates.filter((c) => room(c) === room(first)).map((c) => c.hostId))];
  const chosen = bestHosts[Math.floor(random() * bestHosts.length)] ?? first.hostId;
  return [...candidates.filter((c) => c.hostId === chosen), ...candidates.filter((c) => c.hostId !== chosen)];
}
