import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { parseInput } from "../validation/parse-input.ts";
import { loadVolumeForActor, refuseRootDisk, ZVolumeField } from "./load-volume.ts";
import { recordVolumeJob, volumeJobParts } from "./volume-job.ts";

export const ZDetachVolumeInput = z.object({
  volume: ZVolumeField,
});

/**
 * Detaches a data volume from its VM (running: hot-unplug, which the guest must allow; stopped:
 * from its definition). The volume stays, Ready to attach elsewhere or delete.
 * @throws CarveError VOLUME_NOT_FOUND, INVALID_INPUT, INVALID_STATE, VM_BUSY
 */
export async function detachVolume(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  requireWriteScope(actor, "detach volumes");
  const data = parseInput(ZDetachVolumeInput, input);
  const job = await deps.db.$transaction(async (tx) => {
    const volume = await loadVolumeForActor(tx, actor, data.volume);
    refuseRootDisk(volume, ": it stays with its VM.");
    const vm = volume.vm;
    if (volume.state !== "Attached" || !vm || volume.deviceIndex === null) throw new CarveError("INVALID_STATE", `Volume ${volume.name} is not attached to a VM (it is ${volume.state}).`);
    if (!vm.hostId) throw new CarveError("INVALID_STATE", `VM ${vm.name} has no host; wait until it is Running or Stopped.`);
    return recordVolumeJob(tx, deps, actor, {
      kind: "volume.detach",
      ...volumeJobParts(volume, { vmId: vm.id }),
      hostId: vm.hostId,
      vm,
      payload: { volumeId: volume.id, pool: volume.pool.libvirtName, name: volume.libvirtName, vmId: vm.id, deviceIndex: volume.deviceIndex },
      message: `volume ${volume.name} is being detached from ${vm.name}`,
    });
  });
  await dispatchJob(deps, job);
  return job;
}
