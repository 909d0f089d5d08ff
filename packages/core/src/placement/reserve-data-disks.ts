import type { Tx } from "@carve/db";
import { releaseHostCapacity, releasePoolBytes, reserveHostAndPool, reservePoolBytes } from "../hosts/capacity.ts";
import type { TPlacementRequest } from "./place-vm.ts";
import type { TRankedCandidate } from "./rank-candidates.ts";
import { rankDataPools, type TDiskRequest, type TRankedPool } from "./rank-data-pools.ts";
import { reserveBestFit } from "./reserve-best-fit.ts";

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
  const reserve = withDataDisks(tx, request, disks);
  const candidate = await reserveBestFit(tx, templateId, request, undefined, reserve.on);
  const dataPools = reserve.dataPools();
  return candidate && dataPools ? { candidate, dataPools } : null;
}

/**
 * The reservation of one candidate for a VM with data disks: its host and root pool, and a pool on
 * that host for each disk, or nothing (all given back). `dataPools` are the last success's. Shared
 * by reserveBestFitWithDataDisks and a create that stages its template's copy (issue 19).
 */
export function withDataDisks(tx: Tx, request: TPlacementRequest, disks: TDiskRequest[]): { on: (c: TRankedCandidate) => Promise<boolean>; dataPools: () => TRankedPool[] | null } {
  let dataPools: TRankedPool[] | null = null;
  const on = async (c: TRankedCandidate): Promise<boolean> => {
    if (!(await reserveHostAndPool(tx, c, request))) return false;
    dataPools = await reserveDataDisks(tx, c.hostId, disks);
    if (dataPools) return true;
    await releaseHostCapacity(tx, c.hostId, request.vcpus, request.memoryMiB);
    await releasePoolBytes(tx, c.poolId, request.diskGiB);
    return false;
  };
  return { on, dataPools: () => dataPools };
}
