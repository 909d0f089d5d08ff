import type { Job } from "@carve/db";
import type { TJobPayload } from "@carve/protocol";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import type { TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { busy, loadVmToMove } from "./load-vm-to-move.ts";
import type { TMovingVm } from "./move-targets.ts";
import { recordMoveJob } from "./record-move-job.ts";
import { reserveMoveTarget } from "./reserve-move-target.ts";

/**
 * Moves a stopped VM to another host, cold (host maintenance does this for each stopped VM): its
 * domain is defined on the target (`vm.define`, on the target's queue) and, once that succeeded,
 * removed from the source (`vm.undefine`, sent when the first job is finalised). Its disks must be
 * on storage the target sees: disks on the source's local pool are refused with what to do
 * instead. The VM is Migrating meanwhile and Stopped again afterwards. Returns the first job.
 */
export async function moveStoppedVm(deps: CoreDeps, actor: TActor, ref: string, options: { parentJobId?: string | undefined } = {}): Promise<Job> {
  const job = await deps.db.$transaction(async (tx) => {
    const vm = await loadVmToMove(tx, actor, ref);
    if (vm.activeJobId) throw await busy(tx, vm);
    if (vm.state !== "Stopped") throw new CarveError("INVALID_STATE", `Cannot move VM ${vm.name} cold: it is ${vm.state}; only a stopped VM moves this way.`);
    const local = localDiskBlocker(vm);
    if (local) throw new CarveError("INVALID_STATE", `Cannot move VM ${vm.name}: ${local}`);
    const source = await tx.host.findUniqueOrThrow({ where: { id: vm.hostId ?? "" }, select: { id: true, name: true } });
    const target = await reserveMoveTarget(tx, vm, { live: false });
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
  await dispatchJob(deps, job);
  return job;
}

/**
 * Why a stopped VM cannot move cold: disks on its host's local storage would have to be copied
 * first. Null when every disk is on shared storage.
 */
export function localDiskBlocker(vm: TMovingVm): string | null {
  const local = vm.volumes.filter((v) => v.pool.scope === "Local");
  if (local.length === 0) return null;
  const list = local.map((v) => `${v.kind === "Root" ? "root disk" : "data disk"} in ${v.pool.name} (${v.sizeGiB} GiB)`).join(", ");
  return `it is stopped and has disks on its host's local storage (${list}). Start it so that it live-migrates with its disks, or migrate the volumes to shared storage first (storage migration).`;
}

function definePayload(vm: TMovingVm): TJobPayload<"vm.define"> {
  const root = vm.volumes.find((v) => v.kind === "Root");
  if (!root) throw new CarveError("INVALID_STATE", `VM ${vm.name} has no root disk on record; it cannot be defined on another host.`);
  return {
    vmId: vm.id,
    title: vm.title,
    vcpus: vm.vcpus,
    memoryMiB: vm.memoryMiB,
    rootVolume: { volumeId: root.id, pool: root.pool.libvirtName, name: root.libvirtName, format: "qcow2" },
    dataVolumes: vm.volumes
      .filter((v) => v.kind === "Data" && v.deviceIndex !== null)
      .map((v) => ({ volumeId: v.id, pool: v.pool.libvirtName, name: v.libvirtName, deviceIndex: v.deviceIndex ?? 1 })),
  };
}
