import type { Tx } from "@carve/db";
import { reserveHostAndPool } from "../hosts/capacity.ts";
import type { TPlacementRequest } from "./place-vm.ts";
import { rankCandidates, tryOrder, type TRankedCandidate } from "./rank-candidates.ts";
import type { RankingMemo } from "./ranking-memo.ts";

/**
 * Placement and reservation, the create's critical step: ranks the hosts and pools that fit (one
 * query) and reserves the VM's vCPUs, memory and disk on the best one that still has room, trying
 * the next on a race. Each try is one conditional statement, so racing creates never overcommit.
 * Null when nothing fits; the caller then explains why from the full snapshot. With a `memo` (a
 * batch of creates in one transaction), a ranking is reused from the previous create of the same
 * shape when it is still sound (see RankingMemo). `reserveOn` does the reservation on one candidate
 * (default: reserveHostAndPool); a create passes one that also writes its records in the same
 * statement, so a batched create usually costs one statement.
 */
export async function reserveBestFit(
  tx: Tx,
  templateId: string,
  request: TPlacementRequest,
  memo?: RankingMemo,
  reserveOn: (candidate: TRankedCandidate) => Promise<boolean> = (candidate) => reserveHostAndPool(tx, candidate, request),
): Promise<TRankedCandidate | null> {
  const remembered = memo?.get(templateId, request) ?? null;
  const ranked = remembered ?? (await rankCandidates(tx, templateId, request));
  if (!remembered) memo?.set(templateId, request, ranked);
  for (const candidate of tryOrder(ranked, request.memoryMiB)) {
    if (await reserveOn(candidate)) {
      memo?.reserved(candidate.hostId, request.memoryMiB);
      return candidate;
    }
    memo?.drop(templateId, request, candidate);
  }
  if (!remembered) return null;
  // The remembered list ran out: what PostgreSQL says now decides.
  memo?.forget(templateId, request);
  return reserveBestFit(tx, templateId, request, memo, reserveOn);
}
