import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { findDriftForUpdate } from "./find-drift.ts";
import type { TDriftView } from "./list-drift.ts";

/**
 * Leaves a drifting domain where it is, on purpose: it drops off `drift list` (still shown with
 * `--all`) and reconciliation keeps tracking it without opening it again.
 */
export async function ignoreDrift(deps: CoreDeps, actor: TActor, id: string): Promise<Pick<TDriftView, "id" | "domainName" | "state">> {
  requireAdmin(actor, "ignore drift");
  return deps.db.$transaction(async (tx) => {
    const item = await findDriftForUpdate(tx, id);
    if (item.state === "Resolved") {
      throw new CarveError("INVALID_STATE", `Drift ${item.domainName} on ${item.host.name} is already resolved: the domain is gone from the host.`);
    }
    const updated = await tx.driftItem.update({ where: { id: item.id }, data: { state: "Ignored", resolvedBy: actorId(actor), jobId: null } });
    await recordEvent(tx, {
      type: "host.drift",
      actor,
      hostId: item.hostId,
      message: `drift ${item.domainName} on host ${item.host.name} ignored: Carve leaves the domain alone`,
      data: { driftId: item.id, domainName: item.domainName },
    });
    return { id: updated.id, domainName: updated.domainName, state: updated.state };
  });
}
