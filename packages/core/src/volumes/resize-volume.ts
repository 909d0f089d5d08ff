import type { Job } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { reservePoolBytes } from "../hosts/capacity.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import { cachedPlacementSettings } from "../settings/placement-settings.ts";
import { parseInput } from "../validation/parse-input.ts";
import { loadVolumeForActor, refuseRootDisk, ZVolumeField } from "./load-volume.ts";
import { hostForPool } from "./volume-host.ts";
import { recordVolumeJob, volumeJobParts } from "./volume-job.ts";

export const ZResizeVolumeInput = z.strictObject({
  volume: ZVolumeField,
  sizeGiB: z.number({ error: "must be a whole number of GiB" }).int("must be a whole number of GiB").min(1).max(65536),
});

/**
 * Grows a data volume (never shrinks: data would be lost). Attached to a running VM it is resized
 * live and the guest sees the new size; the extra space is reserved in its pool and counted in the
 * owner's quota up front. A custom-size offering's maximum still applies.
 * @throws CarveError VOLUME_NOT_FOUND, INVALID_INPUT, INVALID_STATE, VM_BUSY, QUOTA_EXCEEDED, NO_CAPACITY
 */
export async function resizeVolume(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  requireWriteScope(actor, "resize volumes");
  const data = parseInput(ZResizeVolumeInput, input);
  const settings = await cachedPlacementSettings(deps);
  const job = await deps.db.$transaction(async (tx) => {
    const volume = await loadVolumeForActor(tx, actor, data.volume);
    const field = (message: string) => new CarveError("INVALID_INPUT", `Invalid input. sizeGiB: ${message}`, { fields: [{ field: "sizeGiB", message }] });
    refuseRootDisk(volume, "; only data volumes can be resized.");
    if (data.sizeGiB <= volume.sizeGiB) throw field(`must be more than the volume's ${volume.sizeGiB} GiB: volumes only grow`);
    const max = volume.diskOffering?.maxSizeGiB;
    if (max && data.sizeGiB > max) throw field(`must be at most ${max} GiB, the maximum of disk offering ${volume.diskOffering?.name ?? ""}`);
    if (volume.state !== "Ready" && volume.state !== "Attached") throw new CarveError("INVALID_STATE", `Cannot resize volume ${volume.name}: it is ${volume.state}.`);
    const extra = data.sizeGiB - volume.sizeGiB;
    await assertWithinQuota(tx, volume.ownerId, { vms: 0, vcpus: 0, memoryMiB: 0, storageGiB: extra });
    if (!(await reservePoolBytes(tx, volume.pool.id, extra, settings.poolThreshold))) {
      throw new CarveError("NO_CAPACITY", `Pool ${volume.pool.name} has no room for ${extra} GiB more below its ${Math.round(settings.poolThreshold * 100)} % threshold. Ask an admin to migrate the volume to a roomier pool (carve volume migrate ${volume.name} --pool POOL).`);
    }
    const vm = volume.state === "Attached" ? volume.vm : null;
    const hostId = vm?.hostId ?? (await hostForPool(tx, volume.pool));
    return recordVolumeJob(tx, deps, actor, {
      kind: "volume.resize",
      ...volumeJobParts(volume, { newSizeGiB: data.sizeGiB, vmId: vm?.id ?? null }),
      hostId,
      vm,
      payload: {
        volumeId: volume.id,
        pool: volume.pool.libvirtName,
        name: volume.libvirtName,
        sizeGiB: data.sizeGiB,
        ...(vm && volume.deviceIndex !== null ? { attachedTo: { vmId: vm.id, deviceIndex: volume.deviceIndex } } : {}),
      },
      message: `volume ${volume.name} is growing from ${volume.sizeGiB} to ${data.sizeGiB} GiB`,
    });
  });
  await dispatchJob(deps, job);
  return job;
}
