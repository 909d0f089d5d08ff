import { compareNames, type TPlacementRequest } from "./place-vm.ts";
import { CANDIDATE_LIMIT, type TRankedCandidate } from "./rank-candidates.ts";

type TList = { candidates: TRankedCandidate[]; policy: TPlacementRequest["policy"]; cut: boolean; floorMemMiB: number };

/**
 * Rankings shared by the creates that one transaction records (a batch): after a create reserves a
 * host, the next create of the same shape re-orders the list it got with that host's new free
 * memory instead of asking PostgreSQL again. The reservation itself stays the conditional
 * statement, so a host another process filled meanwhile is skipped and dropped from the list. A
 * list is asked for again once it could be wrong about hosts it does not hold: under spread, when
 * it was cut at the limit and its best host now has less free memory than its last had (an unlisted
 * host may be better now); and when it runs out.
 */
export class RankingMemo {
  private readonly lists = new Map<string, TList>();

  /** The remembered ranking for this template and request, or null when it must be asked for. */
  get(templateId: string, request: TPlacementRequest): TRankedCandidate[] | null {
    const list = this.lists.get(key(templateId, request));
    const best = list?.candidates[0];
    if (!list || !best) return null;
    if (list.policy === "spread" && list.cut && best.freeMemMiB < list.floorMemMiB) return null;
    return list.candidates;
  }

  /** A ranking fresh from PostgreSQL. */
  set(templateId: string, request: TPlacementRequest, candidates: TRankedCandidate[]): void {
    const last = candidates[candidates.length - 1];
    this.lists.set(key(templateId, request), { candidates: [...candidates], policy: request.policy, cut: candidates.length >= CANDIDATE_LIMIT, floorMemMiB: last?.freeMemMiB ?? 0 });
  }

  /** A reservation took `memoryMiB` on this host: every list sees it with that much less free. */
  reserved(hostId: string, memoryMiB: number): void {
    for (const list of this.lists.values()) {
      if (!list.candidates.some((c) => c.hostId === hostId)) continue;
      list.candidates = list.candidates.map((c) => (c.hostId === hostId ? { ...c, freeMemMiB: c.freeMemMiB - memoryMiB } : c));
      const sign = list.policy === "pack" ? 1 : -1;
      // Stable: a host's pools keep their order (local first), as in rankCandidates' SQL.
      list.candidates.sort((a, b) => sign * (a.freeMemMiB - b.freeMemMiB || compareNames(a.hostName, b.hostName)));
    }
  }

  /** A reservation on this candidate failed (it no longer fits): not offered again. */
  drop(templateId: string, request: TPlacementRequest, candidate: TRankedCandidate): void {
    const list = this.lists.get(key(templateId, request));
    if (list) list.candidates = list.candidates.filter((c) => c !== candidate);
  }

  forget(templateId: string, request: TPlacementRequest): void {
    this.lists.delete(key(templateId, request));
  }

  /** Reservations it counted were undone: every list is asked for again. */
  clear(): void {
    this.lists.clear();
  }
}

function key(templateId: string, r: TPlacementRequest): string {
  return JSON.stringify([templateId, r.vcpus, r.memoryMiB, r.diskGiB, r.hostTags, r.storageTags, r.scope, r.policy, r.poolThreshold, r.network?.id ?? null]);
}
