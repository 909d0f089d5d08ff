import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { requireAdmin, type TActor } from "../identity/actor.ts";
import { parseInput } from "../validation/parse-input.ts";
import { OFFERING_NETWORK, type TOfferingWithNetwork } from "./create-offering.ts";

export const ZListOfferingsInput = z.object({
  /** Admins only: retired (deactivated) offerings too, which VMs and volumes made from them still reference. */
  includeRetired: z.boolean().default(false),
});

/** The `where` of an offering list: active ones, or (admins, `includeRetired`) all of them. */
export function offeringListFilter(actor: TActor, input: unknown, what: string): { active?: true } {
  const { includeRetired } = parseInput(ZListOfferingsInput, input);
  if (!includeRetired) return { active: true };
  requireAdmin(actor, `list retired ${what}`);
  return {};
}

/** Active service offerings (admins: retired ones too, when asked) with their network, smallest first. */
export async function listOfferings(deps: CoreDeps, actor: TActor, input: unknown = {}): Promise<TOfferingWithNetwork[]> {
  const where = offeringListFilter(actor, input, "offerings");
  return deps.db.serviceOffering.findMany({ where, include: OFFERING_NETWORK, orderBy: [{ vcpus: "asc" }, { memoryMiB: "asc" }, { name: "asc" }] });
}
