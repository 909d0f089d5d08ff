import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { hasDependents } from "../lifecycle/has-dependents.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { parseInput } from "../validation/parse-input.ts";
import { way } from "../errors/front-door-ways.ts";

export const ZDeletePoolInput = z.strictObject({ pool: z.string({ error: "is required: a pool name or id" }).min(1, "is required: a pool name or id").max(200) });

/**
 * Deletes a storage pool (admins only). Refused (HAS_DEPENDENTS) while volumes not yet deleted
 * live in it or a template is being copied into it, naming them and the order to remove things in.
 * Its template copies are forgotten with it (the image files stay in the libvirt pool). A pool no
 * volume ever used goes entirely; otherwise it is kept as Removed for the volumes' history, and its
 * name is free for a new pool. One
 * transaction holding the pool's row lock, so a create racing it either lands first (and the
 * delete is refused) or finds the pool gone.
 */
export async function deletePool(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ id: string; name: string; outcome: "deleted" | "removed" }> {
  requireAdmin(actor, "delete storage pools");
  const { pool: ref } = parseInput(ZDeletePoolInput, input);
  return deps.db.$transaction(async (tx) => {
    const pool = await tx.storagePool.findFirst({ where: { ...(isUuid(ref) ? { id: ref } : { name: ref }), state: { not: "Removed" } }, select: { id: true, name: true, state: true } });
    if (!pool) {
      throw new CarveError("POOL_NOT_FOUND", `No storage pool '${ref}'. See the pools with 'carve pool list'.`, { fields: [{ field: "pool", message: `'${ref}' does not exist` }] });
    }
    // Placement reserves pool capacity with a conditional update on this row: holding its lock
    // orders every racing create before or after this delete.
    await tx.$executeRaw`SELECT id FROM "StoragePool" WHERE id = ${pool.id}::uuid FOR UPDATE`;
    const volumes = await tx.volume.findMany({
      where: { poolId: pool.id, state: { not: "Deleted" } },
      select: { name: true, state: true, owner: { select: { username: true } }, vm: { select: { name: true, state: true } } },
      orderBy: { createdAt: "asc" },
    });
    const copying = await tx.templateCopy.findMany({ where: { poolId: pool.id, state: "Copying" }, select: { template: { select: { name: true } } } });
    if (volumes.length > 0 || copying.length > 0) {
      const vms = [...new Set(volumes.flatMap((v) => (v.vm && v.vm.state !== "Destroyed" ? [`${v.vm.name} (${v.owner.username})`] : [])))];
      const steps = [
        ...(copying.length > 0 ? [`wait for the template copies to finish (${way("templates")})`] : []),
        ...(vms.length > 0 ? [`destroy the VMs whose disks are in it: ${vms.join(", ")} ('carve vm destroy NAME --wait')`] : []),
        ...(volumes.some((v) => !v.vm || v.vm.state === "Destroyed") ? ["wait for the volumes of destroyed VMs to be deleted ('carve vm list' shows them Destroying)"] : []),
        `delete the pool ('carve pool delete ${pool.name}'); then its host can be removed ('carve host remove HOST')`,
      ];
      throw hasDependents(
        `Storage pool ${pool.name}`,
        [
          { what: "volumes", one: "volume", names: volumes.map((v) => `${v.name} (${v.vm ? `disk of VM ${v.vm.name}` : "no VM"}, ${v.owner.username}, ${v.state})`) },
          { what: "template copies in progress", one: "template copy in progress", names: copying.map((c) => c.template.name) },
        ],
        steps,
      );
    }
    await tx.templateCopy.deleteMany({ where: { poolId: pool.id } });
    const used = (await tx.volume.count({ where: { poolId: pool.id } })) > 0;
    if (used) {
      await tx.storagePool.update({ where: { id: pool.id }, data: { state: "Removed", stateReason: "deleted by an admin", reservedBytes: 0, liveName: null } });
    } else {
      await tx.storagePool.delete({ where: { id: pool.id } });
    }
    await recordEvent(tx, {
      type: "pool.deleted",
      actor,
      fromState: pool.state,
      toState: "Removed",
      message: `pool ${pool.name} deleted${used ? " (kept as Removed for its volumes' history)" : ""}; its files stay on the hosts`,
    });
    return { id: pool.id, name: pool.name, outcome: used ? "removed" : "deleted" };
  });
}
