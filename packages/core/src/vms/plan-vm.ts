import type { Tx } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import { CarveError, isCarveError } from "../errors/index.ts";
import { releasePoolBytes, reservePoolBytes } from "../hosts/capacity.ts";
import { requireUser, type TActor } from "../identity/actor.ts";
import { vmNetworkFor } from "../networks/ipam/vm-network.ts";
import { resolveOffering } from "../offerings/resolve-offering.ts";
import { explainWithDataDisks } from "../placement/explain-data-disks.ts";
import { loadPlacementHosts } from "../placement/host-snapshot.ts";
import { explainNoCapacity, placeVm, type TPlacementChoice, type TPlacementRequest, type TPlacementResult } from "../placement/place-vm.ts";
import { placementRequest } from "../placement/placement-request.ts";
import type { TRankedPool } from "../placement/rank-data-pools.ts";
import { reserveDataDisks } from "../placement/reserve-data-disks.ts";
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import { readPlacementSettings } from "../settings/placement-settings.ts";
import { resolveTemplate } from "../templates/resolve-template.ts";
import { parseInput } from "../validation/parse-input.ts";
import { ZCreateVmInput } from "./create-vm.ts";
import { planDataDisks, type TPlannedDataDisk } from "./plan-data-disks.ts";

export interface TDataDiskPlan {
  /** "1 (10 GiB fast)": the disk's number, size and disk offering, as the explanations name it. */
  label: string;
  sizeGiB: number;
  /** The pool it would go to, when the VM fits. */
  pool: { id: string; name: string; scope: "Local" | "Shared" } | null;
  /** Why no host that could run the VM has a pool for this disk (per host), or null. */
  reason: string | null;
}

export interface TVmPlan {
  fits: boolean;
  /** Where the VM would go now (host and pool), when it fits. */
  host: { id: string; name: string } | null;
  pool: { id: string; name: string } | null;
  /** Each requested data disk, in order: its pool, or why none. */
  dataDisks: TDataDiskPlan[];
  /** Every host that would not take it, with the reason. */
  rejections: { host: string; reason: string }[];
  /** The same sentence a real create would answer with when it does not fit. */
  message: string;
}

/**
 * "Where would this go?": the placement and quota checks of a create, data disks included, with the
 * same explanations, reserving nothing (the transaction is always rolled back).
 */
export async function planVm(deps: CoreDeps, actor: TActor, input: unknown): Promise<TVmPlan> {
  const owner = requireUser(actor);
  const data = parseInput(ZCreateVmInput, input);
  const template = await resolveTemplate(deps.db, data.template);
  const offering = await resolveOffering(deps.db, data.offering);
  const sizeGiB = Math.max(offering.rootDiskGiB, template.minDiskGiB);
  const rollback = new CarveError("INTERNAL", "dry-run");
  let plan: TVmPlan | null = null;
  await deps.db
    .$transaction(async (tx) => {
      const settings = await readPlacementSettings(tx);
      const request = placementRequest(offering, sizeGiB, settings, await vmNetworkFor(tx, offering));
      const disks = data.dataDisks.length > 0 ? await planDataDisks(tx, data.dataDisks, settings.poolThreshold) : [];
      const hosts = await loadPlacementHosts(tx, template.id);
      const explained = disks.length === 0 ? { ...placeVm(hosts, request), diskRefusals: [] } : explainWithDataDisks(hosts, request, disks.map((d) => d.request));
      const { best, dataPools, rejections } = disks.length === 0 ? { best: explained.candidates[0], dataPools: [], rejections: explained.rejections } : await firstWithDataPools(tx, explained, request, disks);
      const diskPlans = disks.map((disk, i): TDataDiskPlan => {
        const pool = dataPools[i];
        const refusals = explained.diskRefusals[i] ?? [];
        return {
          label: disk.request.label,
          sizeGiB: disk.request.sizeGiB,
          pool: pool ? { id: pool.poolId, name: pool.poolName, scope: pool.scope } : null,
          reason: refusals.length > 0 ? refusals.map((r) => `${r.host}: ${r.reason}`).join("; ") : null,
        };
      });
      const dataGiB = disks.reduce((sum, d) => sum + d.request.sizeGiB, 0);
      let message = best ? `It would go to host ${best.host.name}, pool ${best.pool.name}.` : explainNoCapacity(request, rejections);
      try {
        await assertWithinQuota(tx, owner.userId, { vms: 1, vcpus: offering.vcpus, memoryMiB: offering.memoryMiB, storageGiB: sizeGiB + dataGiB });
      } catch (error) {
        if (!isCarveError(error)) throw error;
        message = error.message;
        plan = { fits: false, host: null, pool: null, dataDisks: diskPlans.map((d) => ({ ...d, pool: null })), rejections, message };
        throw rollback;
      }
      plan = {
        fits: Boolean(best),
        host: best ? { id: best.host.id, name: best.host.name } : null,
        pool: best ? { id: best.pool.id, name: best.pool.name } : null,
        dataDisks: diskPlans,
        rejections,
        message,
      };
      throw rollback; // a dry run leaves nothing behind, not even the quota row locks
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  if (!plan) throw new CarveError("INTERNAL", "The dry-run produced no plan.");
  return plan;
}

/**
 * The first candidate whose root pool and data disks can all be reserved together, by the create's
 * own reservation (reserveDataDisks) inside the dry run's rolled-back transaction: two disks that
 * each fit a pool but not both at once are caught as a create would catch them.
 */
async function firstWithDataPools(
  tx: Tx,
  explained: TPlacementResult,
  request: TPlacementRequest,
  disks: TPlannedDataDisk[],
): Promise<{ best: TPlacementChoice | undefined; dataPools: TRankedPool[]; rejections: TPlacementResult["rejections"] }> {
  const crowded = new Set<string>();
  for (const candidate of explained.candidates) {
    if (!(await reservePoolBytes(tx, candidate.pool.id, request.diskGiB, request.poolThreshold))) continue;
    const dataPools = await reserveDataDisks(tx, candidate.host.id, disks.map((d) => d.request));
    if (dataPools) return { best: candidate, dataPools, rejections: explained.rejections };
    await releasePoolBytes(tx, candidate.pool.id, request.diskGiB);
    crowded.add(candidate.host.name);
  }
  const together = [...crowded].map((host) => ({ host, reason: "has no room for the root disk and all the data disks together" }));
  return { best: undefined, dataPools: [], rejections: [...explained.rejections, ...together] };
}
