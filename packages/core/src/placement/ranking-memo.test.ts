import { expect, it } from "vitest";
import type { TPlacementRequest } from "./place-vm.ts";
import { CANDIDATE_LIMIT, type TRankedCandidate } from "./rank-candidates.ts";
import { RankingMemo } from "./ranking-memo.ts";

const request = (policy: "spread" | "pack"): TPlacementRequest => ({ vcpus: 1, memoryMiB: 1000, diskGiB: 10, hostTags: [], storageTags: [], scope: null, policy, poolThreshold: 0.85 });
const candidate = (host: string, freeMemMiB: number, pool = "local"): TRankedCandidate => ({
  hostId: `id-${host}`, hostName: host, poolId: `${host}-${pool}`, poolName: pool, poolLibvirtName: pool, templateVolume: "t", freeMemMiB,
}); // prettier-ignore
const order = (list: TRankedCandidate[] | null) => list?.map((c) => `${c.hostName}/${c.poolName}`) ?? null;

it("re-ranks a spread list with a reserved host's new free memory, keeping each host's pools in order", () => {
  const memo = new RankingMemo();
  memo.set("tmpl", request("spread"), [candidate("b", 3000), candidate("b", 3000, "shared"), candidate("a", 2500)]);
  memo.reserved("id-b", 1000);
  expect(order(memo.get("tmpl", request("spread")))).toEqual(["a/local", "b/local", "b/shared"]);
  memo.reserved("id-a", 1000);
  expect(order(memo.get("tmpl", request("spread")))).toEqual(["b/local", "b/shared", "a/local"]);
});

it("keeps the fullest fitting host first under pack", () => {
  const memo = new RankingMemo();
  memo.set("tmpl", request("pack"), [candidate("a", 2000), candidate("b", 5000)]);
  memo.reserved("id-a", 1000);
  expect(order(memo.get("tmpl", request("pack")))).toEqual(["a/local", "b/local"]);
});

it("asks PostgreSQL again once a list cut at the limit may be wrong about the hosts it does not hold, or has run out", () => {
  const memo = new RankingMemo();
  const full = Array.from({ length: CANDIDATE_LIMIT }, (_, i) => candidate(`h${String(i).padStart(2, "0")}`, 2000));
  memo.set("tmpl", request("spread"), full);
  for (const c of full) memo.reserved(c.hostId, 1000);
  expect(memo.get("tmpl", request("spread"))).toBeNull(); // every listed host now has less than an unlisted one may have
  memo.set("tmpl", request("spread"), [candidate("a", 2000)]);
  memo.drop("tmpl", request("spread"), memo.get("tmpl", request("spread"))?.[0] as TRankedCandidate);
  expect(memo.get("tmpl", request("spread"))).toBeNull();
  expect(memo.get("another template", request("spread"))).toBeNull();
});
