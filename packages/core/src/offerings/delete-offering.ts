import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { DESTROY_THOSE_VMS, hasDependents } from "../lifecycle/has-dependents.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { parseInput } from "../validation/parse-input.ts";
import { way } from "../errors/front-door-ways.ts";

export const ZDeleteOfferingInput = z.object({
  offering: z.string({ error: "is required: an offering name or id" }).min(1, "is required: an offering name or id").max(200),
  /** While VMs still use it: retire it (inactive, so no new VM can pick it) instead of refusing. */
  retire: z.boolean({ error: "must be true or false" }).default(false),
});

export interface TDeletedOffering {
  id: string;
  name: string;
  /** deleted: the row is gone; retired: kept inactive (VMs, live or destroyed, still refer to it). */
  outcome: "deleted" | "retired";
  /** Live VMs still running with it (retired only). */
  vms: string[];
}

/**
 * Deletes a service offering (admins only). Refused (HAS_DEPENDENTS) while live VMs use it, naming
 * them; with `retire` it is marked inactive instead: hidden from new VMs, kept for the ones using
 * it. One that only destroyed VMs refer to is retired (kept for their history), one never used is
 * deleted. One transaction holding the offering's row lock.
 */
export async function deleteOffering(deps: CoreDeps, actor: TActor, input: unknown): Promise<TDeletedOffering> {
  requireAdmin(actor, "delete service offerings");
  const data = parseInput(ZDeleteOfferingInput, input);
  return deps.db.$transaction(async (tx) => {
    const offering = await tx.serviceOffering.findFirst({ where: isUuid(data.offering) ? { id: data.offering } : { name: data.offering }, select: { id: true, name: true, active: true } });
    if (!offering) {
      throw new CarveError("OFFERING_NOT_FOUND", `No service offering '${data.offering}'. See the offerings with ${way("offerings")}.`, {
        fields: [{ field: "offering", message: `'${data.offering}' does not exist` }],
      });
    }
    await tx.$executeRaw`SELECT id FROM "ServiceOffering" WHERE id = ${offering.id}::uuid FOR UPDATE`;
    const live = await tx.vm.findMany({
      where: { offeringId: offering.id, state: { not: "Destroyed" } },
      select: { name: true, owner: { select: { username: true } } },
      orderBy: { createdAt: "asc" },
    });
    const vms = live.map((vm) => `${vm.name} (${vm.owner.username})`);
    if (vms.length > 0 && !data.retire) {
      throw hasDependents(
        `Service offering ${offering.name}`,
        [{ what: "VMs", one: "VM", names: vms }],
        [DESTROY_THOSE_VMS, `delete the offering ('carve offering delete ${offering.name}')`],
        { alternative: `Or retire it now ('carve offering delete ${offering.name} --retire'): no new VM can use it, and those VMs keep running.` },
      );
    }
    const referenced = vms.length > 0 || (await tx.vm.count({ where: { offeringId: offering.id } })) > 0;
    if (referenced) {
      await tx.serviceOffering.update({ where: { id: offering.id }, data: { active: false } });
    } else {
      await tx.serviceOffering.delete({ where: { id: offering.id } });
    }
    const outcome = referenced ? "retired" : "deleted";
    await recordEvent(tx, {
      type: `offering.${outcome}`,
      actor,
      message: referenced ? `offering ${offering.name} retired: no new VM can use it; ${vms.length} live VM(s) keep it` : `offering ${offering.name} deleted`,
    });
    return { id: offering.id, name: offering.name, outcome, vms };
  });
}
