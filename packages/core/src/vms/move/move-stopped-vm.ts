import type { Job, Tx } from "@carve/db";
import type { CoreDeps } from "../../context.ts";
import { CarveError } from "../../errors/index.ts";
import { recordEvent } from "../../events/record-event.ts";
import { resolveHost } from "../../hosts/resolve-host.ts";
import { actorId, type TActor } from "../../identity/actor.ts";
import { jobRequest, type TColdMove } from "../../jobs/job-request.ts";
import { dispatchJob } from "../../jobs/dispatch-job.ts";
import { COLD_MOVE_JOB, nextStep } from "./advance-cold-move.ts";
import { definePayload } from "./define-payload.ts";
import { busy, loadVmToMove } from "./load-vm-to-move.ts";
import type { TMovingVm } from "./move-targets.ts";
import { recordMoveJob } from "./record-move-job.ts";
import { moveRecord, reserveMoveTarget, type TReservedTarget } from "./reserve-move-target.ts";

/**
 * Moves a stopped VM to another host, cold (`carve vm migrate NAME` for a stopped VM, and host
 * maintenance for each stopped VM): to the host named, or the one placement ranks best.
 * - Disks on shared storage the target sees stay: its domain is defined on the target
 *   (`vm.define`) and, once that succeeded, removed from the source (`vm.undefine`).
 * - Disks on the source's local storage are copied first, one by one, into a local pool of the
 *   target by storage migration (the agents' direct stream, sha256-verified, the source kept), as
 *   steps of one `vm.cold-move` Job with progress; a root overlay is rebased onto the template copy
 *   in the target pool; the sources are deleted only once the VM is re-homed. A failed step leaves
 *   the VM Stopped on its source, intact, and deletes the copies made (see advanceColdMove).
 * The VM is Migrating meanwhile and Stopped again afterwards; the target's capacity is reserved now
 * and the source's released when the VM belongs to the target. Returns the Job to watch.
 */
export async function moveStoppedVm(deps: CoreDeps, actor: TActor, ref: string, options: { parentJobId?: string | undefined; host?: string | undefined } = {}): Promise<Job> {
  const followUps: Job[] = [];
  const job = await deps.db.$transaction(async (tx) => {
    const vm = await loadVmToMove(tx, actor, ref);
    if (vm.activeJobId) throw await busy(tx, vm);
    if (vm.state !== "Stopped") throw new CarveError("INVALID_STATE", `Cannot move VM ${vm.name} cold: it is ${vm.state}; only a stopped VM moves this way.`);
    const source = await tx.host.findUniqueOrThrow({ where: { id: vm.hostId ?? "" }, select: { id: true, name: true, sealKey: true } });
    const onlyHostId = options.host === undefined ? undefined : (await resolveHost(tx, options.host)).id;
    if (onlyHostId === source.id) {
      throw new CarveError("INVALID_INPUT", `VM ${vm.name} is already on ${source.name}; name another host, or leave the host out and placement chooses.`, {
        fields: [{ field: "host", message: "is the VM's current host" }],
      });
    }
    const target = await reserveMoveTarget(tx, vm, { live: false, onlyHostId, requireTemplate: true });
    if (target.choice.localVolumes.length > 0) return recordColdMove(tx, deps, actor, { vm, source, target, parentJobId: options.parentJobId }, followUps);
    return recordMoveJob(tx, deps, actor, {
      vm,
      source,
      target,
      from: "Stopped",
      kind: "vm.define",
      hostId: target.host.id,
      payload: definePayload(vm),
      parentJobId: options.parentJobId,
      message: `cold move of ${vm.name} from ${source.name} to ${target.host.name} requested (disks on shared storage stay)`,
    });
  });
  if (job.kind === COLD_MOVE_JOB) for (const next of followUps) await dispatchJob(deps, next);
  else await dispatchJob(deps, job);
  return job;
}

/** The `vm.cold-move` parent Job, the VM claimed by it, and its first copy (in `followUps`). */
async function recordColdMove(
  tx: Tx,
  deps: CoreDeps,
  actor: TActor,
  spec: { vm: TMovingVm; source: { id: string; name: string; sealKey: string | null }; target: TReservedTarget; parentJobId: string | undefined },
  followUps: Job[],
): Promise<Job> {
  const { vm, source, target } = spec;
  const targetHost = await tx.host.findUniqueOrThrow({ where: { id: target.host.id }, select: { sealKey: true } });
  const local = target.choice.localVolumes;
  const rootLocal = local.some((v) => v.kind === "Root");
  const copy = rootLocal ? await tx.templateCopy.findUnique({ where: { templateId_poolId: { templateId: vm.templateId, poolId: target.pool.id } }, select: { volumeName: true, template: { select: { format: true } } } }) : null;
  const move: TColdMove = {
    vmId: vm.id,
    vmName: vm.name,
    source,
    target: { id: target.host.id, name: target.host.name, sealKey: targetHost.sealKey, poolId: target.pool.id, pool: target.pool.name, poolLibvirtName: target.pool.libvirtName },
    // The root first: it is the one that needs the template on the target.
    volumes: [...local].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "Root" ? -1 : 1)).map((v) => ({ id: v.id, name: v.libvirtName, libvirtName: v.libvirtName, kind: v.kind, sizeGiB: v.sizeGiB, fromPool: v.pool.libvirtName })),
    rebaseOnto: copy ? { pool: target.pool.libvirtName, name: copy.volumeName, format: copy.template.format === "raw" ? "raw" : "qcow2" } : null,
    move: moveRecord(vm, target),
    retry: `carve vm migrate ${vm.name} --host ${target.host.name}`,
  };
  const job = await tx.job.create({
    data: {
      kind: COLD_MOVE_JOB,
      state: "Running",
      actorId: actorId(actor),
      vmId: vm.id,
      // Not on a host's queue: its steps are; core drives it (a null hostId keeps the queue sweep away).
      hostId: null,
      parentJobId: spec.parentJobId ?? null,
      request: jobRequest(COLD_MOVE_JOB, { coldMove: move }),
      step: `copying ${local.length} local disk(s) (${target.choice.localGiB} GiB) to pool ${target.pool.name} on ${target.host.name}`,
      createdAt: deps.now(),
      startedAt: deps.now(),
    },
  });
  const claimed = await tx.vm.updateMany({ where: { id: vm.id, activeJobId: null, state: "Stopped" }, data: { state: "Migrating", activeJobId: job.id } });
  if (claimed.count === 0) throw await busy(tx, vm);
  await recordEvent(tx, {
    type: "vm.state",
    actor,
    vmId: vm.id,
    hostId: source.id,
    jobId: job.id,
    fromState: "Stopped",
    toState: "Migrating",
    message: `cold move of ${vm.name} from ${source.name} to ${target.host.name} requested (copying ${local.length} local disk(s), ${target.choice.localGiB} GiB, to pool ${target.pool.name})`,
  });
  await nextStep(tx, deps, { id: job.id, actorId: job.actorId }, move, [], followUps);
  return tx.job.findUniqueOrThrow({ where: { id: job.id } });
}
