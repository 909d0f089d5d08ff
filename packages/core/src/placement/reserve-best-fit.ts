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
  const ranked = remembered ?? (await freshRanking(tx, templateId, request, memo));
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

/**
 * The candidate a create of a batch gets now, counted at once in `memo` as if reserved: for creates
 * written together by one conditional statement (insertCreateRecords), which does the reserving and
 * leaves out those whose host or pool filled up meanwhile. Null when no host and pool fit.
 */
export async function claimBestFit(tx: Tx, templateId: string, request: TPlacementRequest, memo: RankingMemo): Promise<TRankedCandidate | null> {
  const ranked = memo.get(templateId, request) ?? (await freshRanking(tx, templateId, request, memo));
  // Hosts the creates before this one filled (as far as the memo counts) are not claimed.
  const candidate = tryOrder(ranked.filter((c) => c.freeMemMiB >= request.memoryMiB), request.memoryMiB)[0] ?? null;
  if (candidate) memo.reserved(candidate.hostId, request.memoryMiB);
  return candidate;
}

/** PostgreSQL's ranking, remembered in `memo`. */
async function freshRanking(tx: Tx, templateId: string, request: TPlacementRequest, memo: RankingMemo | undefined): Promise<TRankedCandidate[]> {
  const ranked = await rankCandidates(tx, templateId, request);
  memo?.set(templateId, request, ranked);
  return ranked;
}
