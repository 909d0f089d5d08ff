import { randomUUID } from "node:crypto";
import type { Job } from "@carve/db";
import { JOBS } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, requireAdmin, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { findDriftForUpdate } from "./find-drift.ts";

/**
 * Removes a drifting Carve-named domain (carve-<uuid>) from its host: pulls the plug and undefines
 * it, through the ordinary vm.destroy job (no volumes: Carve does not know which are its). Domains
 * Carve did not name are refused: they may be someone's on purpose, so an admin removes them on the
 * host. The item is resolved when a later inventory no longer shows the domain; a failed cleanup
 * opens it again. Returns the job to watch.
 */
export async function destroyDrift(deps: CoreDeps, actor: TActor, id: string): Promise<Job> {
  requireAdmin(actor, "destroy drifting domains");
  const job = await deps.db.$transaction(async (tx) => {
    const item = await findDriftForUpdate(tx, id);
    if (!item.vmId) {
      throw new CarveError(
        "INVALID_STATE",
        `${item.domainName} on host ${item.host.name} was not created by Carve, so Carve will not destroy it. ` +
          `Remove it on the host ('virsh destroy ${item.domainName}; virsh undefine ${item.domainName}'), or leave it with 'carve drift ignore ${item.id}'.`,
      );
    }
    if (item.state !== "Open" && item.state !== "Ignored") {
      throw new CarveError("INVALID_STATE", `Drift ${item.domainName} on host ${item.host.name} is ${item.state}${item.jobId ? ` (job ${item.jobId})` : ""}; only open or ignored drift can be destroyed.`);
    }
    const vm = await tx.vm.findUnique({ where: { id: item.vmId }, select: { name: true, state: true, host: { select: { name: true } } } });
    if (vm && vm.state !== "Destroyed") {
      // It may be that very VM, moved to this host outside Carve: destroying it here could kill it.
      throw new CarveError(
        "INVALID_STATE",
        `${item.domainName} on host ${item.host.name} is named after VM ${vm.name}, which Carve still has (${vm.state} on ${vm.host?.name ?? "no host"}); ` +
          `it may be that very VM, moved outside Carve. Carve cannot adopt it yet: destroy VM ${vm.name} in Carve first, or remove the domain on the host yourself.`,
      );
    }
    const payload = JOBS["vm.destroy"].payload.parse({ vmId: item.vmId, volumes: [] });
    const created = await tx.job.create({
      data: {
        id: randomUUID(),
        kind: "vm.destroy",
        actorId: actorId(actor),
        hostId: item.hostId,
        // No VM on the job: the domain is no live Carve VM's, so finalising it changes no VM.
        request: { payload, driftId: item.id },
      },
    });
    await tx.driftItem.update({ where: { id: item.id }, data: { state: "Destroying", jobId: created.id, resolvedBy: actorId(actor) } });
    await recordEvent(tx, {
      type: "host.drift",
      actor,
      hostId: item.hostId,
      jobId: created.id,
      message: `destroying drifting domain ${item.domainName} on host ${item.host.name}`,
      data: { driftId: item.id, domainName: item.domainName },
    });
    return created;
  });
  await dispatchJob(deps, job);
  return job;
}
