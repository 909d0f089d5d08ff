import type { Tx } from "@carve/db";
import { releaseHostCapacity, releasePoolBytes, reserveHostAndPool, reservePoolBytes } from "../hosts/capacity.ts";
import type { TPlacementRequest } from "./place-vm.ts";
import { rankCandidates, tryOrder, type TRankedCandidate } from "./rank-candidates.ts";
import { rankDataPools, type TDiskRequest, type TRankedPool } from "./rank-data-pools.ts";

/**
 * Reserves a pool on `hostId` for each data disk (the create's VM host), trying the best pool first
 * and the next on a race; each reservation is one conditional statement. Null (with everything it
 * reserved given back) when one of the disks fits nowhere on that host.
 */
export async function reserveDataDisks(tx: Tx, hostId: string, disks: TDiskRequest[]): Promise<TRankedPool[] | null> {
  const chosen: { pool: TRankedPool; sizeGiB: number }[] = [];
  for (const disk of disks) {
    let placed: TRankedPool | null = null;
    for (const pool of await rankDataPools(tx, disk, { hostId })) {
      if (await reservePoolBytes(tx, pool.poolId, disk.sizeGiB, disk.poolThreshold)) {
        placed = pool;
        break;
      }
    }
    if (!placed) {
      for (const { pool, sizeGiB } of chosen) await releasePoolBytes(tx, pool.poolId, sizeGiB);
      return null;
    }
    chosen.push({ pool: placed, sizeGiB: disk.sizeGiB });
  }
  return chosen.map((c) => c.pool);
}

/**
 * reserveBestFit for a VM with data disks: the best host whose root pool AND pools for every data
 * disk have room (root disk on shared storage and a big data disk on local storage is fine). A
 * host that took the root but not a data disk gets its reservation back and the next one is tried.
 */
export async function reserveBestFitWithDataDisks(
  tx: Tx,
  templateId: string,
  request: TPlacementRequest,
  disks: TDiskRequest[],
): Promise<{ candidate: TRankedCandidate; dataPools: TRankedPool[] } | null> {
  for (const candidate of tryOrder(await rankCandidates(tx, templateId, request), request.memoryMiB)) {
    if (!(await reserveHostAndPool(tx, candidate, request))) continue;
    const dataPools = await reserveDataDisks(tx, candidate.hostId, disks);
    if (dataPools) return { candidate, dataPools };
    await releaseHostCapacity(tx, candidate.hostId, request.vcpus, request.memoryMiB);
    await releasePoolBytes(tx, candidate.poolId, request.diskGiB);
  }
  return null;
}
