import { randomUUID } from "node:crypto";
import type { Job, Volume } from "@carve/db";
import { dataVolumeName } from "@carve/protocol";
import { z } from "zod";
import type { CoreDeps } from "../context.ts";
import { CarveError } from "../errors/index.ts";
import { reservePoolBytes } from "../hosts/capacity.ts";
import { requireUser, requireWriteScope, type TActor } from "../identity/actor.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { diskSizeOf, resolveDiskOffering } from "../offerings/resolve-disk-offering.ts";
import { rankDataPools, type TDiskRequest } from "../placement/rank-data-pools.ts";
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import { cachedPlacementSettings } from "../settings/placement-settings.ts";
import { ZResourceName } from "../validation/fields.ts";
import { parseInput } from "../validation/parse-input.ts";
import { findVmForActor } from "../vms/find-vm.ts";
import { explainNoPool } from "./explain-no-pool.ts";
import { recordVolumeJob } from "./volume-job.ts";
import { way } from "../errors/front-door-ways.ts";

export const ZCreateVolumeInput = z.strictObject({
  name: ZResourceName,
  /** Disk offering name or id. */
  diskOffering: z.string({ error: `is required: choose a disk offering (${way("diskOfferings")})` }).min(1, `is required: choose a disk offering (${way("diskOfferings")})`).max(100),
  /** Custom-size offerings only. */
  sizeGiB: z.number({ error: "must be a whole number of GiB" }).int("must be a whole number of GiB").min(1).max(65536).optional(),
  /** Place it where this VM (name or id) can attach it: that VM's host's pools. */
  vm: z.string().min(1).max(100).optional(),
});

/**
 * Creates an empty data volume from a disk offering for the acting user: a pool matching the
 * offering's scope and storage tags with room (placement's pool rules) is reserved, the volume is
 * recorded Allocating and a volume.create job sent to a host that sees the pool. With `vm`, only
 * pools that VM's host sees are considered, so the volume can be attached to it.
 * @throws CarveError DISK_OFFERING_NOT_FOUND, INVALID_INPUT, ALREADY_EXISTS, QUOTA_EXCEEDED, NO_CAPACITY, VM_NOT_FOUND
 */
export async function createVolume(deps: CoreDeps, actor: TActor, input: unknown): Promise<{ volume: Volume; job: Job }> {
  const owner = requireUser(actor);
  requireWriteScope(actor, "create volumes");
  const data = parseInput(ZCreateVolumeInput, input);
  const [offering, settings] = await Promise.all([resolveDiskOffering(deps.db, data.diskOffering), cachedPlacementSettings(deps)]);
  const sizeGiB = diskSizeOf(offering, data.sizeGiB);
  const disk: TDiskRequest = { sizeGiB, scope: offering.scope, storageTags: offering.storageTags, poolThreshold: settings.poolThreshold };
  const created = await deps.db.$transaction(async (tx) => {
    if (await tx.volume.findFirst({ where: { ownerId: owner.userId, name: data.name, state: { not: "Deleted" } }, select: { id: true } })) {
      throw new CarveError("ALREADY_EXISTS", `You already have a volume named '${data.name}'. Choose another name or delete that volume first.`, {
        fields: [{ field: "name", message: "is already used by one of your volumes: choose another" }],
      });
    }
    const vmHostId = data.vm ? ((await tx.vm.findUnique({ where: { id: (await findVmForActor(tx, actor, data.vm)).id }, select: { hostId: true } }))?.hostId ?? undefined) : undefined;
    await assertWithinQuota(tx, owner.userId, { vms: 0, vcpus: 0, memoryMiB: 0, storageGiB: sizeGiB });
    let placed = null;
    for (const pool of await rankDataPools(tx, disk, vmHostId ? { hostId: vmHostId } : {})) {
      if (await reservePoolBytes(tx, pool.poolId, sizeGiB, disk.poolThreshold)) {
        placed = pool;
        break;
      }
    }
    if (!placed) throw new CarveError("NO_CAPACITY", await explainNoPool(tx, disk, `a ${sizeGiB} GiB ${offering.name} volume`, vmHostId));
    const hostId = placed.ownerHostId ?? vmHostId ?? (await upHostOf(tx, placed.poolId));
    const id = randomUUID();
    const volume = await tx.volume.create({
      data: { id, name: data.name, kind: "Data", ownerId: owner.userId, poolId: placed.poolId, diskOfferingId: offering.id, libvirtName: dataVolumeName(id), sizeGiB, state: "Allocating" },
    });
    const job = await recordVolumeJob(tx, deps, actor, {
      kind: "volume.create",
      volume: { id, name: volume.name, state: "Allocating" },
      hostId,
      payload: { volumeId: id, pool: placed.poolLibvirtName, name: volume.libvirtName, sizeGiB },
      record: { volumeId: id, volumeName: volume.name, previousState: "Allocating", poolId: placed.poolId, sizeGiB },
      message: `volume ${volume.name} (${sizeGiB} GiB, ${offering.name}) is being created in pool ${placed.poolName}`,
    });
    return { volume: { ...volume, activeJobId: job.id }, job };
  });
  await dispatchJob(deps, created.job);
  return created;
}

async function upHostOf(tx: Parameters<typeof rankDataPools>[0], poolId: string): Promise<string> {
  const seen = await tx.poolHost.findFirst({ where: { poolId, host: { state: "Up" } }, select: { hostId: true }, orderBy: { host: { name: "asc" } } });
  // rankDataPools only returns pools an Up host sees.
  if (!seen) throw new CarveError("NO_CAPACITY", "The pool chosen for the volume lost its last Up host meanwhile; try again.");
  return seen.hostId;
}
