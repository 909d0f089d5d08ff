import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";

/** Every storage pool with the hosts that see it, for admins. */
export async function listPools(deps: CoreDeps, actor: TActor) {
  requireAdmin(actor, "list storage pools");
  return deps.db.storagePool.findMany({
    where: { state: { not: "Removed" } },
    include: { hosts: { select: { host: { select: { id: true, name: true } } } } },
    orderBy: { name: "asc" },
  });
}
