import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { parseInput } from "../validation/parse-input.ts";
import { loadVolumeForActor, refuseRootDisk, ZVolumeField } from "./load-volume.ts";
import { hostForPool } from "./volume-host.ts";
import { recordVolumeJob, volumeJobParts } from "./volume-job.ts";

export const ZDeleteVolumeInput = z.object({
  volume: ZVolumeField,
});

/**
 * Deletes a detached data volume and its data; its space returns to the pool. An attached one is
 * refused (detach it first), as are root disks (they go with their VM).
 * @throws CarveError VOLUME_NOT_FOUND, INVALID_INPUT, INVALID_STATE
 */
export async function deleteVolume(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  requireWriteScope(actor, "delete volumes");
  const data = parseInput(ZDeleteVolumeInput, input);
  const job = await deps.db.$transaction(async (tx) => {
    const volume = await loadVolumeForActor(tx, actor, data.volume);
    refuseRootDisk(volume, ": destroy its VM instead.");
    if (volume.state === "Attached" && volume.vm) {
      throw new CarveError("INVALID_STATE", `Volume ${volume.name} is attached to ${volume.vm.name}: detach it first (carve volume detach ${volume.name}).`);
    }
    if (volume.state !== "Ready" && volume.state !== "Error") throw new CarveError("INVALID_STATE", `Cannot delete volume ${volume.name}: it is ${volume.state}. Wait until it settles.`);
    return recordVolumeJob(tx, deps, actor, {
      kind: "volume.delete",
      ...volumeJobParts(volume),
      hostId: await hostForPool(tx, volume.pool),
      payload: { volumeId: volume.id, pool: volume.pool.libvirtName, name: volume.libvirtName },
      during: { state: "Deleting" },
      message: `volume ${volume.name} is being deleted`,
    });
  });
  await dispatchJob(deps, job);
  return job;
}
