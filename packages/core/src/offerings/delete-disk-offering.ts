import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { recordEvent } from "../events/record-event.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { resolveDiskOffering } from "./resolve-disk-offering.ts";

export const ZDeleteDiskOfferingInput = z.object({
  diskOffering: z.string({ error: "is required: a disk offering name or id" }).min(1, "is required: a disk offering name or id").max(200),
});

/**
 * Deletes a disk offering (admins only). One that volumes (live or deleted) refer to is retired
 * instead: no new volume can use it, existing ones keep it. One transaction holding its row lock.
 * @throws CarveError DISK_OFFERING_NOT_FOUND, FORBIDDEN
 */
export async function deleteDiskOffering(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ id: string; name: string; outcome: "deleted" | "retired"; volumes: number }> {
  requireAdmin(actor, "delete disk offerings");
  const data = parseInput(ZDeleteDiskOfferingInput, input);
  return deps.db.$transaction(async (tx) => {
    const offering = await resolveDiskOffering(tx, data.diskOffering);
    await tx.$executeRaw`SELECT id FROM "DiskOffering" WHERE id = ${offering.id}::uuid FOR UPDATE`;
    const volumes = await tx.volume.count({ where: { diskOfferingId: offering.id, state: { not: "Deleted" } } });
    const referenced = volumes > 0 || (await tx.volume.count({ where: { diskOfferingId: offering.id } })) > 0;
    if (referenced) await tx.diskOffering.update({ where: { id: offering.id }, data: { active: false } });
    else await tx.diskOffering.delete({ where: { id: offering.id } });
    const outcome = referenced ? "retired" : "deleted";
    await recordEvent(tx, {
      type: `disk-offering.${outcome}`,
      actor,
      message: referenced ? `disk offering ${offering.name} retired: no new volume can use it; ${volumes} volume(s) keep it` : `disk offering ${offering.name} deleted`,
    });
    return { id: offering.id, name: offering.name, outcome, volumes };
  });
}
