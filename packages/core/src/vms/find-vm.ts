import type { Tx, Db } from "@carve/db";
import { CarveError } from "../errors/index.ts";
import { isAdmin, type TActor } from "../identity/actor.ts";
import { isUuid } from "../validation/is-uuid.ts";
import { way } from "../errors/front-door-ways.ts";

/**
 * Finds a live VM by id or name that the actor may act on: owners their own, admins all. A VM the
 * actor may not see is reported exactly like one that does not exist.
 */
export async function findVmForActor(db: Db | Tx, actor: TActor, ref: string): Promise<{ id: string; name: string }> {
  const ownerFilter = isAdmin(actor) ? {} : { ownerId: actor.kind === "user" ? actor.userId : "" };
  const where = isUuid(ref) ? { id: ref, ...ownerFilter } : { liveName: ref, ...ownerFilter };
  const found = await db.vm.findMany({
    where: { ...where, state: { not: "Destroyed" } },
    select: { id: true, name: true, ownerId: true },
    take: 10,
  });
  if (found.length === 0) {
    throw new CarveError("VM_NOT_FOUND", `No VM '${ref}' among the VMs you can manage. List them with ${way("vms")}.`);
  }
  if (found.length > 1) {
    const mine = actor.kind === "user" ? found.filter((vm) => vm.ownerId === actor.userId) : [];
    if (mine.length === 1 && mine[0]) return mine[0];
    throw new CarveError("INVALID_INPUT", `Several VMs are named '${ref}' (owned by different users); use the VM's id instead.`, {
      fields: [{ field: "vm", message: "is ambiguous: use the VM's id" }],
    });
  }
  // Checked above: exactly one element.
  return found[0]!;
}
