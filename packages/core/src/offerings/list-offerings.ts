import type { ServiceOffering } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";

/** Active service offerings, smallest first. */
export async function listOfferings(deps: CoreDeps, _actor: TActor): Promise<ServiceOffering[]> {
  return deps.db.serviceOffering.findMany({ where: { active: true }, orderBy: [{ vcpus: "asc" }, { memoryMiB: "asc" }, { name: "asc" }] });
}
