import { randomUUID } from "node:crypto";
import type { Job, Tx, Vm } from "@carve/db";
import { rootVolumeName } from "@carve/protocol";
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
import { assertWithinQuota } from "../quotas/assert-within-quota.ts";
import { cachedPlacementSettings } from "../settings/placement-settings.ts";
import { resolveTemplate } from "../templates/resolve-template.ts";
import { ZDescription, ZResourceName } from "../validation/fields.ts";
import { isUniqueViolation } from "../validation/is-unique-violation.ts";
import { parseInput } from "../validation/parse-input.ts";
import { cloudInitPayload, planGuestAccess, recordFirstPassword } from "./guest-access.ts";
import { insertCreateRecords } from "./insert-create-records.ts";

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

  const created = await deps.db.$transaction(async (tx) => {
    await assertWithinQuota(tx, owner.userId, { vms: 1, vcpus: offering.vcpus, memoryMiB: offering.memoryMiB, storageGiB: sizeGiB });
    const placed = await reserveBestFit(tx, template.id, request);
    if (!placed) throw await noCapacity(tx, template.id, request);
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

/** NO_CAPACITY with every host's reason: only now is the whole capacity snapshot loaded. */
async function noCapacity(tx: Tx, templateId: string, request: TPlacementRequest): Promise<CarveError> {
  const { candidates, rejections } = placeVm(await loadPlacementHosts(tx, templateId), request);
  const raced = [...new Set(candidates.map((c) => c.host.name))].map((host) => ({ host, reason: "was filled up by concurrent requests" }));
  return new CarveError("NO_CAPACITY", explainNoCapacity(request, [...rejections, ...raced]), { details: { rejections } });
}
