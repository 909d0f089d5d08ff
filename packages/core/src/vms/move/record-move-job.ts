import { randomUUID } from "node:crypto";
import type { Job, Tx, VmState } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import type { CoreDeps } from "../../context.ts";
import { recordEvent } from "../../events/record-event.ts";
import { actorId, type TActor } from "../../identity/actor.ts";
import { jobRequest } from "../../jobs/job-request.ts";
import { busy } from "./load-vm-to-move.ts";
import type { TMovingVm } from "./move-targets.ts";
import { moveRecord, type TReservedTarget } from "./reserve-move-target.ts";

/** A move about to be recorded: the VM, where it goes, and the first job that moves it. */
export type TMoveJobSpec = TMoveJobCommon & ({ kind: "vm.migrate"; payload: TJobPayload<"vm.migrate"> } | { kind: "vm.define"; payload: TJobPayload<"vm.define"> });

interface TMoveJobCommon {
  vm: TMovingVm;
  source: { id: string; name: string };
  target: TReservedTarget;
  /** The state the VM must still be in (Running for a live migration, Stopped for a cold move). */
  from: VmState;
  /** The queue the job goes to: the source's for a live migration, the target's for a cold define. */
  hostId: string;
  parentJobId: string | undefined;
  /** The event's message ("live migration of x from a to b requested …"). */
  message: string;
}

/**
 * Claims the VM for its move (Migrating, this job active; VM_BUSY when another job got there
 * first) and records the Job, with the move's record for finalising, and the event: in the
 * caller's transaction, after its target was reserved.
 */
export async function recordMoveJob(tx: Tx, deps: CoreDeps, actor: TActor, spec: TMoveJobSpec): Promise<Job> {
  const { vm } = spec;
  const jobId = randomUUID();
  const claimed = await tx.vm.updateMany({ where: { id: vm.id, activeJobId: null, state: spec.from }, data: { state: "Migrating", activeJobId: jobId } });
  if (claimed.count === 0) throw await busy(tx, vm);
  const common = { previousState: spec.from, move: moveRecord(vm, spec.target) };
  // One branch per kind: each payload is checked against its own kind's schema.
  const request = spec.kind === "vm.migrate" ? jobRequest(spec.kind, { ...common, payload: spec.payload }) : jobRequest(spec.kind, { ...common, payload: spec.payload });
  const job = await tx.job.create({
    data: {
      id: jobId,
      kind: spec.kind,
      actorId: actorId(actor),
      vmId: vm.id,
      hostId: spec.hostId,
      parentJobId: spec.parentJobId ?? null,
      request,
      createdAt: deps.now(),
    },
  });
  await recordEvent(tx, { type: "vm.state", actor, vmId: vm.id, hostId: spec.source.id, jobId, fromState: spec.from, toState: "Migrating", message: spec.message });
  return job;
}
