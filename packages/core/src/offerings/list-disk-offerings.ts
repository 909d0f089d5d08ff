import type { DiskOffering } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";

/** Active disk offerings, fixed sizes smallest first, then custom ones. */
export async function listDiskOfferings(deps: CoreDeps, _actor: TActor): Promise<DiskOffering[]> {
  return deps.db.diskOffering.findMany({ where: { active: true }, orderBy: [{ sizeGiB: { sort: "asc", nulls: "last" } }, { name: "asc" }] });
}
