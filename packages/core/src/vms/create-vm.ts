import { randomUUID } from "node:crypto";
import type { Job, Tx, Vm } from "@carve/db";
import { dataVolumeName, rootVolumeName } from "@carve/protocol";
import { z } from "zod";
import { databaseBusy, isTransactionStartTimeout } from "../errors/database-busy.ts";
import { CarveError } from "../errors/index.ts";
import { requireUser, type TActor } from "../identity/actor.ts";
import type { TIdentityDeps } from "../identity/identity-options.ts";
import { dispatchJob } from "../jobs/dispatch-job.ts";
import { resolveOffering } from "../offerings/resolve-offering.ts";
import { loadPlacementHosts } from "../placement/host-snapshot.ts";
import { explainNoCapacity, placeVm, type TPlacementRequest } from "../placement/place-vm.ts";
import { placementRequest } from "../placement/placement-request.ts";
import { reserveBestFit } from "../placement/reserve-best-fit.ts";
import { explainWithDataDisks } from "../placement/explain-data-disks.ts";
import type { TRankedCandidate } from "../placement/rank-candidates.ts";
import type { TRankedPool } from "../placement/rank-data-pools.ts";
import { reserveBestFitWithDataDisks } from "../placement/reserve-data-disks.ts";
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import { cachedPlacementSettings } from "../settings/placement-settings.ts";
import { resolveTemplate } from "../templates/resolve-template.ts";
import { ZDescription, ZResourceName } from "../validation/fields.ts";
import { isUniqueViolation } from "../validation/is-unique-violation.ts";
import { parseInput } from "../validation/parse-input.ts";
import { cloudInitPayload, planGuestAccess, recordFirstPassword } from "./guest-access.ts";
import { insertCreateRecords } from "./insert-create-records.ts";
import { MAX_DATA_DISKS, planDataDisks, ZDataDisk, type TPlannedDataDisk } from "./plan-data-disks.ts";

export const ZCreateVmInput = z.object({
  name: ZResourceName,
  description: ZDescription.optional(),
  /** Template name or id. */
  template: z.string({ error: "is required: choose a template ('template list')" }).min(1, "is required: choose a template ('template list')").max(100),
  /** Service offering name or id. */
  offering: z.string({ error: "is required: choose an offering ('offering list')" }).min(1, "is required: choose an offering ('offering list')").max(100),
  /** Names or ids of the owner's SSH keys to put into the VM (cloud-init templates only). */
  sshKeys: z.array(z.string().min(1).max(100)).max(20, "at most 20 keys").default([]),
  /** Generate a first root password, shown once through revealVmPassword (cloud-init templates only). */
  firstPassword: z.boolean().default(false),
  /** Empty data disks created and attached with the VM, each placed on a pool its disk offering allows. */
  dataDisks: z.array(ZDataDisk).max(MAX_DATA_DISKS, `at most ${MAX_DATA_DISKS} data disks`).default([]),
});
export type TCreateVmInput = z.input<typeof ZCreateVmInput>;

/**
 * A burst of creates queues for the pool's connections: wait for one longer than Prisma's default
 * 2 s before answering BUSY, so a burst is served rather than refused.
 */
const CREATE_TRANSACTION = { maxWait: 15_000, timeout: 15_000 };

/**
 * Creates a VM from a template and a service offering for the acting user: validates, places it on
 * a host (reserving capacity atomically), records VM, root volume and Job in one transaction, then
 * sends the job to the host's agent. Returns at once with the Creating VM and the job to watch.
 * Cloud-init templates get a NoCloud seed with the hostname, the chosen SSH keys and, when asked,
 * a generated first root password (`passwordReveal`: view it once with revealVmPassword).
 */
export async function createVm(
  deps: TIdentityDeps,
  actor: TActor,
  input: unknown,
): Promise<{ vm: Vm; job: Job; passwordReveal: { revealId: string; expiresAt: Date } | null }> {
  const owner = requireUser(actor);
  const data = parseInput(ZCreateVmInput, input);
  const [template, offering, settings] = await Promise.all([
    resolveTemplate(deps.db, data.template),
    resolveOffering(deps.db, data.offering),
    cachedPlacementSettings(deps),
  ]);
  const vmId = randomUUID();
  const volumeId = randomUUID();
  const jobId = randomUUID();
  const sizeGiB = Math.max(offering.rootDiskGiB, template.minDiskGiB);
  const request = placementRequest(offering, sizeGiB, settings);
  const guest = await planGuestAccess(deps, owner.userId, template, data);
  // Only VMs with data disks pay for them: the common create makes no extra query.
  const dataDisks = data.dataDisks.length > 0 ? await planDataDisks(deps.db, data.dataDisks, settings.poolThreshold) : [];
  const dataGiB = dataDisks.reduce((sum, d) => sum + d.request.sizeGiB, 0);

  const created = await deps.db.$transaction(async (tx) => {
    await assertWithinQuota(tx, owner.userId, { vms: 1, vcpus: offering.vcpus, memoryMiB: offering.memoryMiB, storageGiB: sizeGiB + dataGiB });
    const { placed, dataPools } = await reserve(tx, template.id, request, dataDisks);
    if (!placed) throw await noCapacity(tx, template.id, request, dataDisks);
    const dataVolumes = dataDisks.map((disk, i) => {
      const id = randomUUID();
      const pool = dataPools[i];
      // reserve() returns a pool for every disk whenever it placed the VM.
      if (!pool) throw new Error("data disk without a pool");
      return { id, name: `${data.name}-data-${i + 1}`, pool, libvirtName: dataVolumeName(id), sizeGiB: disk.request.sizeGiB, deviceIndex: i + 1, offeringId: disk.offering.id };
    });
    const libvirtName = rootVolumeName(volumeId);
    const payload = {
      vmId,
      title: data.name,
      vcpus: offering.vcpus,
      memoryMiB: offering.memoryMiB,
      rootVolume: { volumeId, pool: placed.poolLibvirtName, name: libvirtName, sizeGiB },
      template: { pool: placed.poolLibvirtName, name: placed.templateVolume, format: template.format === "raw" ? "raw" : "qcow2" },
      start: true,
      ...(guest ? { cloudInit: await cloudInitPayload(tx, guest, placed.hostId) } : {}),
      ...(dataVolumes.length > 0
        ? { dataVolumes: dataVolumes.map((v) => ({ volumeId: v.id, pool: v.pool.poolLibvirtName, name: v.libvirtName, sizeGiB: v.sizeGiB, deviceIndex: v.deviceIndex })) }
        : {}),
    };
    const records = await insertCreateRecords(tx, {
      vm: {
        id: vmId,
        name: data.name,
        description: data.description ?? null,
        ownerId: owner.userId,
        hostId: placed.hostId,
        templateId: template.id,
        offeringId: offering.id,
        vcpus: offering.vcpus,
        memoryMiB: offering.memoryMiB,
        jobId,
      },
      volume: { id: volumeId, name: `${data.name}-root`, poolId: placed.poolId, libvirtName, sizeGiB },
      job: { request: { payload, previousState: null } },
      event: { message: `${data.name} is being created from ${template.name} (${offering.name})` },
    }, deps.now());
    if (dataVolumes.length > 0) {
      await tx.volume.createMany({
        data: dataVolumes.map((v) => ({
          id: v.id, name: v.name, kind: "Data" as const, vmId, ownerId: owner.userId, poolId: v.pool.poolId, diskOfferingId: v.offeringId,
          libvirtName: v.libvirtName, sizeGiB: v.sizeGiB, deviceIndex: v.deviceIndex, state: "Allocating" as const,
        })), // prettier-ignore
      });
    }
    return { ...records, passwordReveal: await recordFirstPassword(tx, deps, guest, { vmId, userId: owner.userId, jobId }) };
  }).catch((error: unknown) => {
    // Two creates of one name: the unique index on (owner, live name) lets one through.
    if (isUniqueViolation(error)) throw nameTaken(data.name);
    throw error;
  });
  await dispatchJob(deps, created.job);
  return created;
}

function nameTaken(name: string): CarveError {
  return new CarveError("VM_NAME_TAKEN", `You already have a VM named '${name}'. Choose another name or destroy that VM first.`, {
    fields: [{ field: "name", message: "is already used by one of your VMs: choose another" }],
  });
}

/** Host, root pool and (when asked) a pool per data disk, reserved; nulls when nothing fits. */
async function reserve(tx: Tx, templateId: string, request: TPlacementRequest, disks: TPlannedDataDisk[]): Promise<{ placed: TRankedCandidate | null; dataPools: TRankedPool[] }> {
  if (disks.length === 0) return { placed: await reserveBestFit(tx, templateId, request), dataPools: [] };
  const found = await reserveBestFitWithDataDisks(tx, templateId, request, disks.map((d) => d.request));
  return { placed: found?.candidate ?? null, dataPools: found?.dataPools ?? [] };
}

/** NO_CAPACITY with every host's reason (per data disk too): only now is the whole capacity snapshot loaded. */
async function noCapacity(tx: Tx, templateId: string, request: TPlacementRequest, disks: TPlannedDataDisk[]): Promise<CarveError> {
  const hosts = await loadPlacementHosts(tx, templateId);
  const { candidates, rejections } = disks.length === 0 ? placeVm(hosts, request) : explainWithDataDisks(hosts, request, disks.map((d) => d.request));
  const raced = [...new Set(candidates.map((c) => c.host.name))].map((host) => ({ host, reason: "was filled up by concurrent requests" }));
  return new CarveError("NO_CAPACITY", explainNoCapacity(request, [...rejections, ...raced]), { details: { rejections } });
}
