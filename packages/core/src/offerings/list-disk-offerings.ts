import type { DiskOffering } from "@carve/db";
import type { CoreDeps } from "../context.ts";
import type { TActor } from "../identity/actor.ts";
import { offeringListFilter } from "./list-offerings.ts";

/** Active disk offerings (admins: retired ones too, with `includeRetired`), fixed sizes smallest first, then custom ones. */
export async function listDiskOfferings(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<DiskOffering[]> {
  const where = offeringListFilter(actor, input, "disk offerings");
  return deps.db.diskOffering.findMany({ where, orderBy: [{ sizeGiB: { sort: "asc", nulls: "last" } }, { name: "asc" }] });
}
