import type { Job } from "@carve/db";
import type { CoreDeps } from "../../context.ts";
import { CarveError } from "../../errors/index.ts";
import { recordEvent } from "../../events/record-event.ts";
import { requireAdmin, type TActor } from "../../identity/actor.ts";
import { parseInput } from "../../validation/parse-input.ts";
import { findVmForActor } from "../find-vm.ts";
import { ZVmRefInput } from "../start-vm.ts";

/**
 * Cancels a VM's live migration (admins only): its source host's agent aborts it (`virsh
 * domjobabort`) and the VM keeps running where it was; the job then fails saying it was cancelled.
 * Returns the migration job.
 */
export async function cancelVmMigration(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  requireAdmin(actor, "cancel migrations");
  const { vm: ref } = parseInput(ZVmRefInput, input);
  const job = await deps.db.$transaction(async (tx) => {
    const { id, name } = await findVmForActor(tx, actor, ref);
    const vm = await tx.vm.findUnique({ where: { id }, select: { state: true, activeJobId: true } });
    const active = vm?.activeJobId ? await tx.job.findUnique({ where: { id: vm.activeJobId } }) : null;
    if (!active || active.kind !== "vm.migrate" || (active.state !== "Queued" && active.state !== "Running")) {
      throw new CarveError("INVALID_STATE", `VM ${name} is not live-migrating (it is ${vm?.state ?? "gone"}); there is no migration to cancel.`);
    }
    await recordEvent(tx, { type: "vm.migration", actor, vmId: id, hostId: active.hostId, jobId: active.id, message: `cancel of ${name}'s live migration requested` });
    return active;
  });
  if (job.hostId) await deps.queues.requestCancel(job.hostId, job.id);
  return job;
}
