import type { CoreDeps } from "../context.ts";
import { CarveError, isCarveError } from "../errors/index.ts";
import { requireUser, type TActor } from "../identity/actor.ts";
import { resolveOffering } from "../offerings/resolve-offering.ts";
import { loadPlacementHosts } from "../placement/host-snapshot.ts";
import { explainNoCapacity, placeVm } from "../placement/place-vm.ts";
import { placementRequest } from "../placement/placement-request.ts";
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import { readPlacementSettings } from "../settings/placement-settings.ts";
import { resolveTemplate } from "../templates/resolve-template.ts";
import { parseInput } from "../validation/parse-input.ts";
import { ZCreateVmInput } from "./create-vm.ts";

export interface TVmPlan {
  fits: boolean;
  /** Where the VM would go now (host and pool), when it fits. */
  host: { id: string; name: string } | null;
  pool: { id: string; name: string } | null;
  /** Every host that would not take it, with the reason. */
  rejections: { host: string; reason: string }[];
  /** The same sentence a real create would answer with when it does not fit. */
  message: string;
}

/**
 * "Where would this go?": the placement and quota checks of a create, with the same explanations,
 * reserving nothing (the transaction is always rolled back).
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
      const request = placementRequest(offering, sizeGiB, await readPlacementSettings(tx));
      const { candidates, rejections } = placeVm(await loadPlacementHosts(tx, template.id), request);
      const best = candidates[0];
      let message = best ? `It would go to host ${best.host.name}, pool ${best.pool.name}.` : explainNoCapacity(request, rejections);
      try {
        await assertWithinQuota(tx, owner.userId, { vms: 1, vcpus: offering.vcpus, memoryMiB: offering.memoryMiB, storageGiB: sizeGiB });
      } catch (error) {
        if (!isCarveError(error)) throw error;
        message = error.message;
        plan = { fits: false, host: null, pool: null, rejections, message };
        throw rollback;
      }
      plan = {
        fits: Boolean(best),
        host: best ? { id: best.host.id, name: best.host.name } : null,
        pool: best ? { id: best.pool.id, name: best.pool.name } : null,
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
