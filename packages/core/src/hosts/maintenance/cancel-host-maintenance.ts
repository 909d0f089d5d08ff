import type { HostState } from "@carve/db";
import type { CoreDeps } from "../../context.ts";
import { CarveError } from "../../errors/index.ts";
import { recordEvent } from "../../events/record-event.ts";
import { requireAdmin, type TActor } from "../../identity/actor.ts";
import { requestInventory } from "../../reconcile/request-inventory.ts";
import { parseInput } from "../../validation/parse-input.ts";
import { MAINTENANCE_JOB } from "./advance-host-maintenance.ts";
import { ZHostRefInput } from "./plan-host-maintenance.ts";
import { resolveHost } from "../resolve-host.ts";

export interface TCancelMaintenanceResult {
  host: { id: string; name: string; state: HostState };
  /** Live migrations in flight that were asked to abort (their VMs stay where they were). */
  abortedMoves: number;
}

/**
 * Returns a host in PrepareForMaintenance or Maintenance to service (admins only): it is Up again
 * and placement may use it; a maintenance still moving VMs stops (its Job is Cancelled, a live
 * migration in flight is aborted and its VM keeps running here, moves not started never start).
 * VMs that already left stay where they are. The host is asked for its inventory, so anything that
 * changed while it was out of service (it may have been powered off) is reconciled.
 */
export async function cancelHostMaintenance(deps: CoreDeps, actor: TActor, input: unknown): Promise<TCancelMaintenanceResult> {
  requireAdmin(actor, "end host maintenance");
  const { host: ref } = parseInput(ZHostRefInput, input);
  const { host, inFlight } = await deps.db.$transaction(async (tx) => {
    const host = await resolveHost(tx, ref);
    if (host.state !== "PrepareForMaintenance" && host.state !== "Maintenance") {
      throw new CarveError("INVALID_STATE", `Host ${host.name} is ${host.state}, not in maintenance: there is nothing to cancel.`);
    }
    const changed = await tx.host.updateMany({ where: { id: host.id, state: host.state }, data: { state: "Up" } });
    if (changed.count === 0) throw new CarveError("INVALID_STATE", `Host ${host.name} changed state meanwhile; look again with 'carve host list'.`);
    const parents = await tx.job.findMany({ where: { kind: MAINTENANCE_JOB, state: "Running", request: { path: ["hostId"], equals: host.id } }, select: { id: true } });
    const ids = parents.map((p) => p.id);
    await tx.job.updateMany({ where: { id: { in: ids } }, data: { state: "Cancelled", errorMessage: `cancelled: ${host.name} was returned to service`, finishedAt: deps.now() } });
    const inFlight = await tx.job.findMany({ where: { parentJobId: { in: ids }, kind: "vm.migrate", state: { in: ["Queued", "Running"] } }, select: { id: true, hostId: true } });
    await recordEvent(tx, {
      type: "host.state",
      actor,
      hostId: host.id,
      fromState: host.state,
      toState: "Up",
      message: `host ${host.name} is back in service (maintenance cancelled${inFlight.length > 0 ? `; ${inFlight.length} live migration(s) in flight asked to abort` : ""})`,
    });
    return { host: { id: host.id, name: host.name, state: "Up" as const }, inFlight };
  });
  for (const job of inFlight) {
    if (job.hostId) await deps.queues.requestCancel(job.hostId, job.id).catch((err: unknown) => deps.log.warn({ jobId: job.id, err }, "could not ask the agent to abort a migration"));
  }
  await requestInventory(deps, host.id, "host-up").catch((err: unknown) => deps.log.warn({ hostId: host.id, err }, "could not ask the host for its inventory"));
  return { host, abortedMoves: inFlight.length };
}
