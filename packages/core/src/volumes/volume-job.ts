import { randomUUID } from "node:crypto";
import type { Job, Prisma, Tx, VolumeState } from "@carve/db";
import type { TJobName } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { recordEvent } from "../events/record-event.ts";
import { actorId, type TActor } from "../identity/actor.ts";
import { way } from "../errors/front-door-ways.ts";
import { jobRequest, type TJobRequestInput, type TVolumeJobRecord } from "../jobs/job-request.ts";

/** Volume jobs this module settles (volume.migrate is migrate-volume.ts's). */
export type TVolumeJob = Extract<TJobName, "volume.create" | "volume.attach" | "volume.detach" | "volume.resize" | "volume.delete">;

export interface TVolumeJobSpec {
  kind: TVolumeJob;
  volume: { id: string; name: string; state: VolumeState };
  hostId: string;
  /** A VM the job changes too: claimed for the job (VM_BUSY for a second one), like a VM action. */
  vm?: { id: string; name: string } | null;
  payload: Record<string, unknown>;
  record: TVolumeJobRecord;
  /** Volume fields set while the job runs (state, device index…). */
  during?: Prisma.VolumeUncheckedUpdateManyInput;
  message: string;
}

/**
 * The spec's `volume` and `record` for a job on a volume as loaded (its state now is the state the
 * job starts from and returns to on failure); `extra` adds the job's own fields (vmId, newSizeGiB).
 */
export function volumeJobParts(
  volume: { id: string; name: string; state: VolumeState; sizeGiB: number; pool: { id: string } },
  extra: Pick<TVolumeJobRecord, "newSizeGiB" | "vmId"> = {},
): Pick<TVolumeJobSpec, "volume" | "record"> {
  return {
    volume: { id: volume.id, name: volume.name, state: volume.state },
    record: { volumeId: volume.id, volumeName: volume.name, previousState: volume.state, poolId: volume.pool.id, sizeGiB: volume.sizeGiB, ...extra },
  };
}

/**
 * Claims a volume (and the VM it changes) for one job and records the Job and an event, inside the
 * caller's transaction; the caller dispatches the job after the commit. A volume or VM busy with
 * another job is refused with the job that holds it.
 */
export async function recordVolumeJob(tx: Tx, deps: CoreDeps, actor: TActor, spec: TVolumeJobSpec): Promise<Job> {
  const jobId = randomUUID();
  const claimed = await tx.volume.updateMany({
    where: { id: spec.volume.id, activeJobId: null, state: spec.volume.state },
    data: { ...spec.during, activeJobId: jobId },
  });
  if (claimed.count === 0) await refuseBusy(tx, "volume", spec.volume.name, (await tx.volume.findUnique({ where: { id: spec.volume.id }, select: { activeJobId: true } }))?.activeJobId);
  if (spec.vm) {
    const vm = await tx.vm.updateMany({ where: { id: spec.vm.id, activeJobId: null, state: { in: ["Running", "Stopped"] } }, data: { activeJobId: jobId } });
    if (vm.count === 0) {
      const current = await tx.vm.findUnique({ where: { id: spec.vm.id }, select: { state: true, activeJobId: true } });
      if (current?.activeJobId) await refuseBusy(tx, "VM", spec.vm.name, current.activeJobId);
      throw new CarveError("INVALID_STATE", `VM ${spec.vm.name} is ${current?.state ?? "gone"}: disks can be changed while it is Running or Stopped. Wait until it settles.`);
    }
  }
  const job = await tx.job.create({
    data: {
      id: jobId,
      kind: spec.kind,
      actorId: actorId(actor),
      vmId: spec.vm?.id ?? null,
      hostId: spec.hostId,
      // The payload's builders type it loosely (one spec for five kinds): jobRequest checks it against spec.kind's schema.
      request: jobRequest(spec.kind, { payload: spec.payload, volume: { ...spec.record } } as TJobRequestInput<TVolumeJob>),
      createdAt: deps.now(),
    },
  });
  await recordEvent(tx, { type: spec.kind, actor, vmId: spec.vm?.id ?? null, hostId: spec.hostId, jobId, fromState: spec.volume.state, message: spec.message });
  return job;
}

async function refuseBusy(tx: Tx, what: string, name: string, activeJobId: string | null | undefined): Promise<never> {
  if (!activeJobId) throw new CarveError("INVALID_STATE", `The ${what} ${name} changed meanwhile; look at it again (${way("volumes")}) and retry.`);
  const running = await tx.job.findUnique({ where: { id: activeJobId }, select: { kind: true, state: true } });
  throw new CarveError(what === "VM" ? "VM_BUSY" : "INVALID_STATE", `The ${what} ${name} is busy with ${running?.kind ?? "a job"} (job ${activeJobId}, ${running?.state ?? "unknown"}). Wait for it to finish, then try again.`, {
    details: { jobId: activeJobId },
  });
}
