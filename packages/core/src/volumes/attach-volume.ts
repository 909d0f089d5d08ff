import type { Job, Tx } from "@carve/db";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { requireWriteScope, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { rankDataPools } from "../placement/rank-data-pools.ts";
import { cachedPlacementSettings } from "../settings/placement-settings.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";
import { loadVolumeForActor, refuseRootDisk, ZVolumeField, type TLoadedVolume } from "./load-volume.ts";
import { recordVolumeJob, volumeJobParts } from "./volume-job.ts";

export const ZAttachVolumeInput = z.strictObject({
  volume: ZVolumeField,
  vm: z.string({ error: "is required: a VM name or id" }).min(1, "is required: a VM name or id").max(100),
});

/** Data disks a VM can have (vdb…vdz). */
export const MAX_DEVICE_INDEX = 25;

/**
 * Attaches a detached data volume to a VM of the same owner, running (hot-plug) or stopped. A
 * volume its host cannot reach (another host's local pool, or a shared pool that host does not
 * see) is refused with VOLUME_ON_OTHER_HOST: the message names the `carve volume migrate` command
 * that fixes it and the details carry { volume, fromHost, toHost, suggestedPools }.
 * @throws CarveError VOLUME_NOT_FOUND, VM_NOT_FOUND, INVALID_INPUT, INVALID_STATE, VM_BUSY, VOLUME_ON_OTHER_HOST
 */
export async function attachVolume(deps: CoreDeps, actor: TActor, input: unknown): Promise<Job> {
  requireWriteScope(actor, "attach volumes");
  const data = parseInput(ZAttachVolumeInput, input);
  const settings = await cachedPlacementSettings(deps);
  const job = await deps.db.$transaction(async (tx) => {
    const volume = await loadVolumeForActor(tx, actor, data.volume);
    const { id: vmId } = await findVmForActor(tx, actor, data.vm);
    const vm = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, select: { id: true, name: true, ownerId: true, state: true, hostId: true, host: { select: { name: true } } } });
    refuseRootDisk(volume, ": it stays with its VM.");
    if (volume.ownerId !== vm.ownerId) {
      throw new CarveError("INVALID_INPUT", `Volume ${volume.name} and VM ${vm.name} belong to different users: a volume can only be attached to its owner's VMs.`, {
        fields: [{ field: "vm", message: "belongs to another user than the volume" }],
      });
    }
    if (volume.state !== "Ready") {
      const hint = volume.vm ? `it is attached to ${volume.vm.name}: detach it first (carve volume detach ${volume.name})` : `it is ${volume.state}`;
      throw new CarveError("INVALID_STATE", `Cannot attach volume ${volume.name}: ${hint}.`);
    }
    if (!vm.hostId || !vm.host) throw new CarveError("INVALID_STATE", `VM ${vm.name} has no host yet; wait until it is Running or Stopped.`);
    if (!volume.pool.hosts.some((h) => h.hostId === vm.hostId)) throw await volumeOnOtherHost(tx, volume, { id: vm.hostId, name: vm.host.name }, settings.poolThreshold);
    const used = await tx.volume.findMany({ where: { vmId: vm.id, state: { not: "Deleted" }, deviceIndex: { not: null } }, select: { deviceIndex: true } });
    const taken = new Set(used.map((v) => v.deviceIndex));
    const deviceIndex = Array.from({ length: MAX_DEVICE_INDEX }, (_, i) => i + 1).find((i) => !taken.has(i));
    if (deviceIndex === undefined) throw new CarveError("INVALID_STATE", `VM ${vm.name} has ${MAX_DEVICE_INDEX} data disks already; detach one first.`);
    return recordVolumeJob(tx, deps, actor, {
      kind: "volume.attach",
      ...volumeJobParts(volume, { vmId: vm.id }),
      hostId: vm.hostId,
      vm,
      payload: { volumeId: volume.id, pool: volume.pool.libvirtName, name: volume.libvirtName, vmId: vm.id, deviceIndex },
      during: { vmId: vm.id, deviceIndex },
      message: `volume ${volume.name} is being attached to ${vm.name}`,
    });
  });
  await dispatchJob(deps, job);
  return job;
}

/** VOLUME_ON_OTHER_HOST with the best pools the VM's host sees that could take the volume. */
async function volumeOnOtherHost(tx: Tx, volume: TLoadedVolume, toHost: { id: string; name: string }, poolThreshold: number): Promise<CarveError> {
  const offering = volume.diskOffering;
  const pools = await rankDataPools(
    tx,
    { sizeGiB: volume.sizeGiB, scope: null, storageTags: offering?.storageTags ?? [], poolThreshold },
    { hostId: toHost.id, ...(offering ? { prefer: offering.scope } : {}) },
  );
  const suggestedPools = pools.map((p) => ({ id: p.poolId, name: p.poolName, scope: p.scope }));
  const fromHost = volume.pool.host?.name ?? null;
  const where = volume.pool.scope === "Local" ? `host ${fromHost ?? "?"}'s local pool` : `shared pool ${volume.pool.name}, which host ${toHost.name} does not see`;
  const best = suggestedPools[0];
  const fix = best
    ? `migrate it to host ${toHost.name} or to shared storage: carve volume migrate ${volume.name} --pool ${best.name}`
    : `migrate it to host ${toHost.name} or to shared storage (no pool host ${toHost.name} sees has ${volume.sizeGiB} GiB free now: ask an admin)`;
  return new CarveError("VOLUME_ON_OTHER_HOST", `volume ${volume.name} is on ${where}; ${fix}`, {
    details: { volume: { id: volume.id, name: volume.name, sizeGiB: volume.sizeGiB, pool: volume.pool.name }, fromHost, toHost: toHost.name, suggestedPools },
  });
}
