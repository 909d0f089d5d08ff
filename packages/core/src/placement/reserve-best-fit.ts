import type { Tx } from "@carve/db";
import { reserveHostAndPool } from "../hosts/capacity.ts";
import type { TPlacementRequest } from "./place-vm.ts";
import { rankCandidates, tryOrder, type TRankedCandidate } from "./rank-candidates.ts";

/**
 * Placement and reservation, the create's critical step: ranks the hosts and pools that fit (one
 * query) and reserves the VM's vCPUs, memory and disk on the best one that still has room, trying
 * the next on a race. Each try is one conditional statement, so racing creates never overcommit.
 * Null when nothing fits; the caller then explains why from the full snapshot.
 */
export async function reserveBestFit(tx: Tx, templateId: string, request: TPlacementRequest): Promise<TRankedCandidate | null> {
  for (const candidate of tryOrder(await rankCandidates(tx, templateId, request), request.memoryMiB)) {
    if (await reserveHostAndPool(tx, candidate, request)) return candidate;
  }
  return null;
}
