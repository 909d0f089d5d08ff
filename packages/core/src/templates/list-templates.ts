import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";

/** Every template that is not deleted, whatever its state (a downloading one is shown, not hidden). */
export async function listTemplates(deps: CoreDeps, _actor: TActor) {
  return deps.db.template.findMany({
    where: { state: { not: "Deleted" } },
    select: { id: true, name: true, description: true, state: true, stateReason: true, progress: true, format: true, minDiskGiB: true, createdAt: true },
    orderBy: { name: "asc" },
  });
}
